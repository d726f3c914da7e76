import { INVENTORY_TYPES } from '@rackops/core/inventory/inventory.schema';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotFixture, USERS, startBotFixture } from './support/bot-fixture';

const text = (replies: { text?: string }[]): string => replies.map((r) => r.text ?? '').join('\n');

/** VMs on the seeded inventory (vc-lab: lab-a non-production, prod-a production) and the datastores they use. */
async function seedVmsAndDatastores(f: BotFixture): Promise<void> {
  const vms = [
    { name: 'web-01', host: 'PROD001', cluster: 'domain-c2' },
    { name: 'web-02', host: 'PROD002', cluster: 'domain-c2' },
    { name: 'db-01', host: 'PROD001', cluster: 'domain-c2' },
    { name: 'lab-01', host: 'LABA001', cluster: 'domain-c1' },
    { name: 'lab-02', host: 'LABA002', cluster: 'domain-c1' },
  ];
  for (const [i, v] of vms.entries()) {
    const id = `vc-lab/vm-${100 + i}`;
    await f.store.putRecord({
      type: INVENTORY_TYPES.vm,
      id,
      parent: v.host,
      data: {
        id,
        name: v.name,
        vcenterId: 'vc-lab',
        moref: `vm-${100 + i}`,
        hostId: v.host,
        clusterId: v.cluster,
        powerState: 'poweredOn',
        cpuMhz: 100,
        memoryMiB: 1024,
        isVcenterAppliance: false,
        devices: {},
      },
    });
  }
  const ds = (name: string, hostIds: string[]) =>
    f.store.putRecord({
      type: INVENTORY_TYPES.datastore,
      id: `vc-lab/${name}`,
      parent: 'vc-lab',
      data: {
        id: `vc-lab/${name}`,
        name,
        vcenterId: 'vc-lab',
        type: 'NFS',
        capacityBytes: 1e12,
        freeBytes: 5e11,
        hostIds,
      },
    });
  await ds('nfs-prod', ['PROD001', 'PROD002']);
  await ds('nfs-lab', ['LABA001', 'LABA002']);
}

/**
 * `pg add-vm|remove-vm|edit|delete|approve|reject` through the real bot: a production group's changes wait for
 * a second person; a non-production group's apply at once; bad input changes nothing.
 */
describe('protection group changes and four-eyes', () => {
  let f: BotFixture;
  const pgs = () => createProtectionGroupStore(f.store);
  const stored = async (name: string) => (await pgs().get(name))?.value;
  const say = async (user: (typeof USERS)[keyof typeof USERS], cmd: string) =>
    text(await f.harness.say(user, cmd));

  beforeAll(async () => {
    f = await startBotFixture();
    await seedVmsAndDatastores(f);
    // prod: a production cluster mounts its datastore; approved by a second person.
    await say(
      USERS.operator,
      'pg create prod nas-a:tank/prod nas-b:dr/prod vcenter vc-lab datastore nfs-prod',
    );
    await say(USERS.approver, 'pg approve prod');
  });
  afterAll(async () => {
    await f?.close();
  });

  it('a group on a non-production datastore is active at once and its changes apply at once', async () => {
    const t = await say(
      USERS.operator,
      'pg create lab nas-a:tank/lab nas-b:dr/lab rpo 20 vcenter vc-lab datastore nfs-lab',
    );
    expect(t).toContain('replicating every 10 min');
    expect(await stored('lab')).toMatchObject({ production: false, approval: 'approved' });
    expect(f.scheduler.recurring.get('pg-lab')?.everyMinutes).toBe(10);

    expect(await say(USERS.operator, 'pg add-vm lab lab-01')).toContain('lab: add VM lab-01 done');
    expect(await say(USERS.operator, 'pg add-vm lab lab-02')).toContain('done');
    expect((await stored('lab'))?.members).toEqual({ kind: 'vms', vms: ['vm-103', 'vm-104'] });
    expect(await say(USERS.operator, 'pg remove-vm lab lab-02')).toContain('remove VM lab-02 done');
    expect(await say(USERS.operator, 'pg edit lab rpo 1h keep 8')).toContain(
      'set RPO 60 min, keep 8 frequent done',
    );
    expect(await stored('lab')).toMatchObject({ rpoMinutes: 60, retention: { frequent: 8, hourly: 24 } });
    // The schedule follows the new RPO.
    expect(f.scheduler.recurring.get('pg-lab')?.everyMinutes).toBe(30);
    expect(await say(USERS.viewer, 'pg lab')).toContain('Members: vm-103');
    expect(await say(USERS.viewer, 'pg lab')).toContain('transport agent');
    expect(await say(USERS.operator, 'pg edit lab transport direct')).toContain('set transport direct done');
    expect(await stored('lab')).toMatchObject({ transport: 'direct', rpoMinutes: 60 });
    expect(await say(USERS.viewer, 'pg lab')).toContain('transport direct');
    expect(await say(USERS.operator, 'pg edit lab transport direct')).toContain(
      'already has transport direct',
    );
    expect(await say(USERS.operator, 'pg edit lab transport ftp')).toContain('agent');
    expect((await stored('lab'))?.transport).toBe('direct');
    expect(await say(USERS.viewer, 'pg lab')).toContain('crash-consistent');
    expect(await say(USERS.operator, 'pg edit lab consistency vm')).toContain('set consistency vm done');
    expect(await stored('lab')).toMatchObject({ vmConsistent: true, transport: 'direct' });
    expect(await say(USERS.viewer, 'pg lab')).toContain('VM-consistent (quiesced VMware snapshots)');
    expect(await say(USERS.operator, 'pg edit lab consistency vm')).toContain('already has consistency vm');

    expect(await say(USERS.operator, 'pg delete lab')).toContain('`pg delete lab confirm`');
    expect(await stored('lab')).toBeDefined();
    expect(await say(USERS.operator, 'pg delete lab confirm')).toContain('Protection group **lab** deleted');
    expect(await stored('lab')).toBeUndefined();
    expect(f.scheduler.recurring.has('pg-lab')).toBe(false);
  });

  it('a change to a production group waits; the requester cannot approve it; another approver can', async () => {
    expect(f.scheduler.recurring.get('pg-prod')?.everyMinutes).toBe(7);
    const asked = await say(USERS.approver, 'pg add-vm prod web-01');
    expect(asked).toContain('"add VM web-01" waits for four-eyes approval');
    expect((await stored('prod'))?.members).toEqual({ kind: 'datastore' });
    expect((await stored('prod'))?.pendingChange).toMatchObject({
      change: { kind: 'add-vm', vm: 'vm-100', vmName: 'web-01', production: true },
      requestedBy: { name: 'Ada Approver' },
    });
    expect(await say(USERS.viewer, 'groups')).toContain('change waiting for approval: add VM web-01');
    expect(await say(USERS.viewer, 'pg prod')).toContain(
      '**Change waiting for approval**: add VM web-01, asked by Ada Approver',
    );
    // One change at a time.
    expect(await say(USERS.operator, 'pg add-vm prod web-02')).toContain(
      'already has a change waiting for approval (add VM web-01)',
    );
    // Four-eyes: not the requester; not an operator.
    expect(await say(USERS.approver, 'pg approve prod')).toContain(
      'a different person with the **approver** role',
    );
    expect(await say(USERS.operator, 'pg approve prod')).toContain('**approver** role');
    expect((await stored('prod'))?.members).toEqual({ kind: 'datastore' });

    expect(await say(USERS.approver2, 'pg approve prod')).toContain(
      'prod: "add VM web-01" approved by Abe Approver and done',
    );
    const g = await stored('prod');
    expect(g?.members).toEqual({ kind: 'vms', vms: ['vm-100'] });
    expect(g?.pendingChange).toBeUndefined();
    expect(await say(USERS.approver2, 'pg approve prod')).toContain('nothing of protection group prod waits');
  });

  it('a rejected change changes nothing; the audit log has request, approval and rejection', async () => {
    expect(await say(USERS.operator, 'pg edit prod rpo 2h daily 14')).toContain(
      'waits for four-eyes approval',
    );
    expect(await say(USERS.approver, 'pg reject prod "keep the 15 min RPO"')).toContain(
      'prod: "set RPO 120 min, 14 daily" rejected by Ada Approver (keep the 15 min RPO); nothing changed',
    );
    expect(await stored('prod')).toMatchObject({ rpoMinutes: 15, retention: { daily: 7 } });
    expect((await stored('prod'))?.pendingChange).toBeUndefined();
    expect(f.scheduler.recurring.get('pg-prod')?.everyMinutes).toBe(7);

    const day = new Date().toISOString().slice(0, 10);
    const actions = (await f.store.listAuditByTime(day, { limit: 500 })).items
      .filter((e) => e.target === 'protection-group:prod')
      .map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'protection-group.create',
        'protection-group.approve',
        'protection-group.change-requested',
        'protection-group.change-approved',
        'protection-group.change-rejected',
      ]),
    );
  });

  it('bad input is refused with a clear reason and changes nothing', async () => {
    const before = JSON.stringify(await stored('prod'));
    const refused: [string, string][] = [
      ['pg add-vm prod web-1', 'VM web-1 is not in vCenter vc-lab; did you mean web-01, web-02'],
      ['pg add-vm prod zzzzzzzz', 'VM zzzzzzzz is not in vCenter vc-lab'],
      ['pg add-vm prod web-01', 'VM web-01 is already in protection group prod'],
      ['pg add-vm nope web-01', 'protection group nope not found'],
      ['pg add-vm prod web;rm', 'letters, digits'],
      ['pg remove-vm prod db-01', 'VM db-01 is not in protection group prod'],
      ['pg remove-vm prod web-01', 'is the last VM of protection group prod'],
      ['pg edit prod', 'say what to change'],
      ['pg edit prod rpo 0', 'at least 1 minute'],
      ['pg edit prod rpo 8d', 'at most 7 days'],
      ['pg edit prod rpo soon', 'a duration such as 30m'],
      ['pg edit prod rpo 15m', 'already has RPO 15 min'],
      ['pg edit prod keep 0', 'keep'],
      ['pg approve prod', 'nothing of protection group prod waits'],
    ];
    for (const [cmd, why] of refused) expect(await say(USERS.approver, cmd), cmd).toContain(why);
    expect(await say(USERS.viewer, 'pg add-vm prod web-02')).toContain('**operator** role');
    expect(await say(USERS.operator, 'pg reject prod')).toContain('**approver** role');
    expect(JSON.stringify(await stored('prod'))).toBe(before);
    expect(await say(USERS.viewer, 'pg ad-vm prod web-02')).toContain('Did you mean');
  });

  it('a production group is deleted only after a second person approves', async () => {
    expect(await say(USERS.operator, 'pg delete prod confirm')).toContain('"delete the group" waits');
    expect(await stored('prod')).toBeDefined();
    expect(f.scheduler.recurring.has('pg-prod')).toBe(true);
    expect(await say(USERS.approver, 'pg approve prod')).toContain('approved by Ada Approver and done');
    expect(await stored('prod')).toBeUndefined();
    expect(f.scheduler.recurring.has('pg-prod')).toBe(false);
  });

  it('a rejected new group never runs; its creator deletes it without a second person', async () => {
    expect(
      await say(
        USERS.operator,
        'pg create prod2 nas-a:tank/p2 nas-b:dr/p2 vcenter vc-lab datastore nfs-prod',
      ),
    ).toContain('waits for four-eyes approval');
    expect(await say(USERS.approver, 'pg reject prod2 "wrong target pool"')).toContain(
      'Protection group **prod2** rejected by Ada Approver (wrong target pool): it never replicates',
    );
    expect(await stored('prod2')).toMatchObject({
      approval: 'rejected',
      decisionReason: 'wrong target pool',
    });
    expect(f.scheduler.recurring.has('pg-prod2')).toBe(false);
    expect(await say(USERS.viewer, 'groups')).toContain('⛔ **prod2**');
    expect(await say(USERS.operator, 'replicate prod2 now')).toContain('was rejected: it never replicates');
    expect(await say(USERS.operator, 'pg resume prod2')).toContain('not scheduled while it is rejected');
    expect(f.scheduler.recurring.has('pg-prod2')).toBe(false);
    expect(await say(USERS.operator, 'pg delete prod2 confirm')).toContain('**prod2** deleted');
    expect(await stored('prod2')).toBeUndefined();
  });

  it('adding a VM of a production cluster to a non-production group needs four eyes and makes it production', async () => {
    await say(
      USERS.operator,
      'pg create lab2 nas-a:tank/lab2 nas-b:dr/lab2 vcenter vc-lab datastore nfs-lab',
    );
    expect(await stored('lab2')).toMatchObject({ production: false, approval: 'approved' });
    expect(await say(USERS.operator, 'pg add-vm lab2 db-01')).toContain('"add VM db-01" waits for four-eyes');
    expect(await stored('lab2')).toMatchObject({ production: false, members: { kind: 'datastore' } });
    expect(await say(USERS.operator, 'pg approve lab2')).toContain('**approver** role');
    expect(await say(USERS.approver, 'pg approve lab2')).toContain('done');
    expect(await stored('lab2')).toMatchObject({
      production: true,
      members: { kind: 'vms', vms: ['vm-102'] },
    });
  });
});
