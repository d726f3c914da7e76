import { INVENTORY_TYPES } from '@rackops/core/inventory/inventory.schema';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardActions, cardOf } from '../src/testing/harness';
import { type BotFixture, USERS, eventually, startBotFixture } from './support/bot-fixture';

const all = (replies: unknown[]): string => JSON.stringify(replies);

/** Two protection groups on the seeded inventory: `gold` (not production) and `crown` (production). */
async function seed(f: BotFixture): Promise<void> {
  for (const [i, name] of ['web-01', 'web-02', 'db-01'].entries()) {
    const id = `vc-lab/vm-${100 + i}`;
    await f.store.putRecord({
      type: INVENTORY_TYPES.vm,
      id,
      parent: 'LABA001',
      data: {
        ...{ id, name, vcenterId: 'vc-lab', moref: `vm-${100 + i}`, hostId: 'LABA001' },
        ...{ clusterId: 'domain-c1', powerState: 'poweredOn', cpuMhz: 100, memoryMiB: 1024, devices: {} },
      },
    });
  }
  const pgs = createProtectionGroupStore(f.store);
  for (const [name, production, vms] of [
    ['gold', false, ['vm-100', 'vm-101']],
    ['crown', true, ['vm-102']],
  ] as const) {
    await pgs.create({
      name,
      source: { vcenterId: 'vc-lab', datastore: name, appliance: 'nas-a', dataset: `tank/${name}` },
      target: { vcenterId: 'vc-lab', datastore: `${name}-dr`, appliance: 'nas-b', dataset: `dr/${name}` },
      members: { kind: 'vms', vms: [...vms] },
      dr: { cluster: 'lab-a', resourcePool: 'resgroup-1', nfsServer: '10.0.9.5' },
      rpoMinutes: 15,
      retention: {},
      production,
      createdBy: { kind: 'user', id: 'u-x' },
      createdAt: new Date().toISOString(),
    });
    await pgs.recordReplica(name, {
      snapshot: `rackops-${name}-20261206T120000Z`,
      snapshotAt: new Date(Date.now() - 600_000).toISOString(),
      completedAt: new Date().toISOString(),
      bytes: 1000,
      incremental: false,
      seconds: 1,
    });
  }
}

/**
 * `failover` through the real bot and the fixture's engine (its pause workflow stands in for the DR steps):
 * the plan card first, roles (unplanned: admin), four-eyes on a production group, the Commit / Roll back card,
 * the roll back's second confirmation, refusal beside another failover.
 */
describe('failover chat command', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
    await seed(f);
  });
  afterAll(async () => {
    await f?.close();
  });
  const jobsOf = async (g: string) => (await f.store.listJobsByTarget('protection_group', g)).items;

  it('shows the plan card and starts nothing; roles: operator, unplanned admin with a reason', async () => {
    const plan = all(await f.harness.say(USERS.operator, 'failover gold'));
    expect(plan).toContain('Planned failover of gold: the plan');
    expect(plan).toContain('2: web-01, web-02');
    expect(plan).toContain('cluster lab-a (4 host(s)), pool resgroup-1');
    expect(plan).toMatch(/rackops-gold-20261206T120000Z, 10 ?m\w* old/);
    expect(plan).toContain('0 s: the VMs are shut down and a final sync runs');
    expect(plan).toContain('`failover gold confirm`');
    expect(all(await f.harness.say(USERS.viewer, 'failover gold'))).toContain('**operator** role');
    const op = all(await f.harness.say(USERS.operator, 'failover gold unplanned "site lost" confirm'));
    expect(op).toContain('an unplanned failover needs the **admin** role');
    expect(all(await f.harness.say(USERS.admin, 'failover gold unplanned'))).toMatch(/unplanned/);
    const unplanned = all(await f.harness.say(USERS.admin, 'failover gold unplanned "site A lost power"'));
    expect(unplanned).toContain('Unplanned failover of gold');
    expect(unplanned).toMatch(/Expected data loss","value":"10 ?m/);
    expect(unplanned).toContain('site A lost power');
    expect(unplanned).toContain('`failover gold unplanned \\"site A lost power\\" confirm`');
    expect(await jobsOf('gold')).toHaveLength(0);
  });

  it('confirm starts it; Roll back asks a second time before discarding; one click each', async () => {
    await f.harness.say(USERS.operator, 'failover gold confirm', 'conv-fo');
    const [job] = await jobsOf('gold');
    expect(job).toMatchObject({
      type: 'failover',
      params: { mode: 'planned', vms: ['web-01', 'web-02'], sourceMorefs: { 'web-01': 'vm-100' } },
    });
    const decide = await eventually(
      async () => f.harness.lastCard('conv-fo', 'Failover up at DR'),
      (e) => e !== undefined,
    );
    // Another failover of the group meanwhile: the plan says so, and confirm is refused, nothing created.
    expect(all(await f.harness.say(USERS.operator, 'failover gold', 'conv-fo'))).toMatch(
      /Refused while these run: a failover of gold is paused \(job /,
    );
    expect(all(await f.harness.say(USERS.operator, 'failover gold confirm', 'conv-fo'))).toContain(
      'no failover of gold now',
    );
    expect(await jobsOf('gold')).toHaveLength(1);
    expect(all([await f.harness.click(USERS.viewer, decide!, 'Roll back')])).toContain('operator');
    const rollback = cardActions(cardOf(decide!.activity)!).find((a) => a.title === 'Roll back');
    await f.harness.click(USERS.operator, decide!, 'Roll back');
    const second = await eventually(
      async () => f.harness.lastCard('conv-fo', 'Discard what changed at DR?'),
      (e) => e !== undefined,
    );
    expect(cardActions(cardOf(second!.activity)!).map((a) => a.title)).toEqual([
      'Discard DR changes',
      'Keep DR data',
    ]);
    // The first card's Roll back again is stale: nothing happens twice.
    const again = await f.harness.submitCardData(
      USERS.operator,
      decide!,
      rollback!.data,
      'execute',
      'failover.decide',
    );
    expect(all([again])).toMatch(/out of date|not paused|changed/);
    await f.harness.click(USERS.operator, second!, 'Discard DR changes');
    const done = await eventually(
      () => f.store.getJob(job!.id),
      (j) => j?.status === 'completed',
    );
    expect(done?.status).toBe('completed');
    const audit = all(await f.store.listAuditByJob(job!.id));
    expect(audit).toContain('"decision":"rollback"');
    expect(audit).toContain('"decision":"rollback-confirmed"');
  });

  it('a production group waits for a second person; then Commit', async () => {
    await f.harness.say(USERS.operator, 'failover crown confirm', 'conv-crown');
    const [job] = await jobsOf('crown');
    expect(job?.status).toBe('pending');
    const approval = f.harness.lastCard('conv-crown');
    expect(all([await f.harness.click(USERS.operator, approval!, 'Approve')])).toMatch(/Four-eyes|approver/);
    await f.harness.click(USERS.approver, approval!, 'Approve');
    const decide = await eventually(
      async () => f.harness.lastCard('conv-crown', 'Failover up at DR'),
      (e) => e !== undefined,
    );
    await f.harness.click(USERS.operator, decide!, 'Commit');
    expect(
      (
        await eventually(
          () => f.store.getJob(job!.id),
          (j) => j?.status === 'completed',
        )
      )?.status,
    ).toBe('completed');
  });

  it("an unplanned failover's decisions need admin", async () => {
    await f.harness.say(USERS.admin, 'failover gold unplanned "site A lost power" confirm', 'conv-un');
    const decide = await eventually(
      async () => f.harness.lastCard('conv-un', 'Failover up at DR'),
      (e) => e !== undefined,
    );
    expect(all([await f.harness.click(USERS.operator, decide!, 'Commit')])).toContain('**admin** role');
    await f.harness.click(USERS.admin, decide!, 'Commit');
    const job = (await jobsOf('gold')).find((j) => j.params.mode === 'unplanned');
    expect(
      (
        await eventually(
          () => f.store.getJob(job!.id),
          (j) => j?.status === 'completed',
        )
      )?.status,
    ).toBe('completed');
  });

  it("a production group's DR placement changes only with a second person", async () => {
    const asked = all(await f.harness.say(USERS.operator, 'pg edit crown dr-nfs 10.0.9.6'));
    expect(asked).toMatch(/approv/i);
    expect(all(await f.harness.say(USERS.viewer, 'pg crown'))).toContain('NFS 10.0.9.5');
    expect(all(await f.harness.say(USERS.operator, 'pg approve crown'))).toMatch(
      /approver|not the one|Four-eyes/i,
    );
    await f.harness.say(USERS.approver, 'pg approve crown');
    expect(all(await f.harness.say(USERS.viewer, 'pg crown'))).toContain('NFS 10.0.9.6');
  });

  it('a placement recorded for the other site (before the sites swapped) is not used', async () => {
    const pgs = createProtectionGroupStore(f.store);
    await pgs.update('gold', (g) => ({ ...g, dr: { ...g.dr, vcenterId: 'vc-elsewhere' } }));
    expect(all(await f.harness.say(USERS.operator, 'failover gold'))).toContain(
      'failover needs `cluster …`, `pool …`, `nfs …`',
    );
    const typed = all(
      await f.harness.say(USERS.operator, 'failover gold cluster lab-a pool resgroup-2 nfs 10.0.9.7'),
    );
    expect(typed).toContain('pool resgroup-2, network VM Network');
  });
});

/**
 * A failback: the group was failed over (and committed) from its target vCenter, where the original VMs are
 * still registered: the job names them (`targetMorefs`) so they are used again, not registered twice.
 */
describe('failover chat command: a failback names the original VMs at the target', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
    await seed(f);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('targetMorefs from the target vCenter’s inventory only when the group came from there', async () => {
    const pgs = createProtectionGroupStore(f.store);
    await pgs.update('gold', (g) => ({
      ...g,
      history: [
        {
          jobId: 'job-earlier',
          mode: 'planned',
          at: new Date().toISOString(),
          by: { kind: 'user', id: 'u-x' },
          from: { vcenterId: 'vc-lab', appliance: 'nas-b', dataset: 'dr/gold' },
          to: { vcenterId: 'vc-lab', appliance: 'nas-a', dataset: 'tank/gold' },
          snapshot: 'rackops-gold-20261206T110000Z',
          reversed: true,
        },
      ],
    }));
    await f.harness.say(USERS.operator, 'failover gold confirm', 'conv-back');
    const [job] = (await f.store.listJobsByTarget('protection_group', 'gold')).items;
    expect(job?.params).toMatchObject({
      vms: ['web-01', 'web-02'],
      sourceMorefs: { 'web-01': 'vm-100', 'web-02': 'vm-101' },
      targetMorefs: { 'web-01': 'vm-100', 'web-02': 'vm-101' },
    });
    // Without that history (crown): none, whatever the target vCenter holds.
    await f.harness.say(USERS.operator, 'failover crown confirm', 'conv-crown');
    const [crown] = (await f.store.listJobsByTarget('protection_group', 'crown')).items;
    expect(crown?.type).toBe('failover');
    expect(crown?.params.targetMorefs).toEqual({});
  });
});
