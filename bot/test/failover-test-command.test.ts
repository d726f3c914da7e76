import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardActions, cardOf } from '../src/testing/harness';
import { type BotFixture, USERS, eventually, startBotFixture } from './support/bot-fixture';

const text = (replies: { text?: string }[]): string => replies.map((r) => r.text ?? '').join('\n');

/**
 * `failover test` through the real bot: the plan before anything runs, the operator role, the job card, the
 * pause card's *Clean up* resuming the paused workflow through its task token (the fixture's engine).
 */
describe('failover test chat command', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
    const pgs = createProtectionGroupStore(f.store);
    await pgs.create({
      name: 'gold',
      source: { vcenterId: 'vc-lab', datastore: 'gold', appliance: 'nas-a', dataset: 'tank/gold' },
      target: { vcenterId: 'vc-lab', datastore: 'gold-dr', appliance: 'nas-b', dataset: 'dr/gold' },
      members: { kind: 'datastore' },
      rpoMinutes: 15,
      retention: {},
      production: false,
      createdBy: { kind: 'user', id: 'u-x' },
      createdAt: new Date().toISOString(),
    });
    await pgs.recordReplica('gold', {
      snapshot: 'rackops-gold-20261206T120000Z',
      snapshotAt: new Date(Date.now() - 600_000).toISOString(),
      completedAt: new Date().toISOString(),
      bytes: 1000,
      incremental: false,
      seconds: 1,
    });
  });
  afterAll(async () => {
    await f?.close();
  });
  const CMD = 'failover test gold vms web-01,db-01 cluster lab-a pool resgroup-1 nfs 10.0.9.5';

  it('shows the plan first and starts nothing; a viewer may not; missing placement is named', async () => {
    const plan = text(await f.harness.say(USERS.operator, CMD));
    expect(plan).toContain('Test failover of **gold**: 2 VM(s) (web-01, db-01)');
    expect(plan).toMatch(/rackops-gold-20261206T120000Z, 10 ?m\w* old/);
    expect(plan).toContain('networks on **dr-test**');
    expect(plan).toContain('Nothing has run');
    expect(text(await f.harness.say(USERS.viewer, `${CMD} confirm`))).toContain('**operator** role');
    expect(text(await f.harness.say(USERS.operator, 'failover test gold vms web-01 confirm'))).toMatch(
      /needs `cluster …`, `pool …`, `nfs …`/,
    );
    expect((await f.store.listJobsByTarget('protection_group', 'gold')).items).toHaveLength(0);
  });

  it('the placement recorded on the group stands in for what is not typed', async () => {
    const bad = text(await f.harness.say(USERS.operator, 'pg edit gold dr-pool "no such/pool"'));
    expect(bad).toContain('resource pool moref');
    expect(
      text(await f.harness.say(USERS.operator, 'pg edit gold dr-cluster lab-a dr-pool resgroup-1')),
    ).toMatch(/DR cluster lab-a, DR pool resgroup-1/);
    expect(text(await f.harness.say(USERS.operator, 'failover test gold vms web-01'))).toContain(
      'needs `nfs …` (or record them once: `pg edit gold dr-nfs …`',
    );
    await f.harness.say(USERS.operator, 'pg edit gold dr-nfs 10.0.9.5');
    expect(text(await f.harness.say(USERS.viewer, 'pg gold'))).toContain(
      'DR placement: vCenter vc-lab, cluster lab-a, pool resgroup-1, NFS 10.0.9.5',
    );
    const plan = text(await f.harness.say(USERS.operator, 'failover test gold vms web-01'));
    expect(plan).toContain('on cluster lab-a (4 host(s))');
    expect((await f.store.listJobsByTarget('protection_group', 'gold')).items).toHaveLength(0);
  });

  it('confirm starts the job; the pause card cleans up through the task token, once', async () => {
    await f.harness.say(USERS.operator, `${CMD} confirm`, 'conv-ft');
    const [job] = (await f.store.listJobsByTarget('protection_group', 'gold')).items;
    expect(job).toMatchObject({
      type: 'failover_test',
      params: { vms: ['web-01', 'db-01'], portGroup: 'dr-test' },
    });
    // The DR cluster's four connected hosts, from the inventory.
    expect(job?.params.hostMorefs).toHaveLength(4);
    const entry = await eventually(
      async () => f.harness.lastCard('conv-ft', '🧪 Test failover up at DR'),
      (e) => e !== undefined,
    );
    // A second test while this one is up is refused.
    expect(text(await f.harness.say(USERS.operator, `${CMD} confirm`, 'conv-ft'))).toContain('still up');
    // A viewer cannot clean up.
    const denied = await f.harness.click(USERS.viewer, entry!, 'Clean up');
    expect(JSON.stringify(denied)).toMatch(/operator/);
    expect((await f.store.getJob(job!.id))?.status).toBe('paused');
    const button = cardActions(cardOf(entry!.activity)!).find((a) => a.title === 'Clean up');
    await f.harness.click(USERS.operator, entry!, 'Clean up');
    const done = await eventually(
      () => f.store.getJob(job!.id),
      (j) => j?.status === 'completed',
    );
    expect(done?.status).toBe('completed');
    // The old card's button is stale now: nothing happens twice.
    const again = await f.harness.submitCardData(
      USERS.operator,
      entry!,
      button!.data,
      'execute',
      'failover.cleanup',
    );
    expect(JSON.stringify(again)).toMatch(/not paused|changed/);
  });
});
