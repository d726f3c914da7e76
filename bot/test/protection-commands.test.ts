import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import { type BotFixture, USERS, startBotFixture } from './support/bot-fixture';

const text = (replies: { text?: string }[]): string => replies.map((r) => r.text ?? '').join('\n');

/** The protection-group commands through the real bot: grammar, roles, the Store, the scheduler port. */
describe('protection group chat commands', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('protect creates a production group pending: not scheduled, not replicated, until a second person approves', async () => {
    // No inventory names the datastore: RackOps cannot show it harmless, so the group is production.
    const t = text(
      await f.harness.say(
        USERS.approver,
        'protect prod-vms nas-a:tank/vmstore nas-b:dr/vmstore rpo 30 keep 6 vcenter vc-lab',
      ),
    );
    expect(t).toContain('Protection group **prod-vms** created');
    expect(t).toContain('waits for four-eyes approval');
    const stored = async () => (await createProtectionGroupStore(f.store).get('prod-vms'))?.value;
    expect(await stored()).toMatchObject({
      source: { appliance: 'nas-a', dataset: 'tank/vmstore', vcenterId: 'vc-lab', datastore: 'vmstore' },
      target: { appliance: 'nas-b', dataset: 'dr/vmstore', vcenterId: 'vc-lab' },
      rpoMinutes: 30,
      retention: { frequent: 6, hourly: 24 },
      state: 'active',
      production: true,
      approval: 'pending',
      createdBy: { kind: 'user' },
    });
    expect((await stored())?.conversationId).toBeTruthy();
    expect(f.scheduler.recurring.has('pg-prod-vms')).toBe(false);
    expect(text(await f.harness.say(USERS.viewer, 'protection groups'))).toContain(
      '⏳ **prod-vms** nas-a:tank/vmstore → nas-b:dr/vmstore · no replica yet (RPO 30 min) · **awaiting approval**',
    );
    expect(text(await f.harness.say(USERS.viewer, 'pg prod-vms'))).toContain(
      'production (four-eyes) · **awaiting approval**',
    );
    // Nobody replicates it before the approval, not even by hand.
    expect(text(await f.harness.say(USERS.operator, 'replicate prod-vms now'))).toContain(
      'waiting for four-eyes approval',
    );
    expect((await f.store.listJobsByTarget('protection_group', 'prod-vms')).items).toHaveLength(0);

    // The creator cannot approve their own group; an operator cannot approve at all.
    expect(text(await f.harness.say(USERS.approver, 'pg approve prod-vms'))).toContain(
      'a different person with the **approver** role must approve it',
    );
    expect(text(await f.harness.say(USERS.operator, 'pg approve prod-vms'))).toContain('**approver** role');
    expect((await stored())?.approval).toBe('pending');
    expect(f.scheduler.recurring.has('pg-prod-vms')).toBe(false);

    expect(text(await f.harness.say(USERS.approver2, 'pg approve prod-vms'))).toContain(
      'Protection group **prod-vms** approved by Abe Approver: scheduled now',
    );
    expect(await stored()).toMatchObject({ approval: 'approved', decidedBy: { name: 'Abe Approver' } });
    expect(f.scheduler.recurring.get('pg-prod-vms')).toEqual({
      everyMinutes: 15,
      target: { kind: 'replication', group: 'prod-vms' },
    });
    const one = text(await f.harness.say(USERS.viewer, 'pg prod-vms'));
    expect(one).toContain('Retention: 6 frequent, 24 hourly, 7 daily, 4 weekly');
    expect(one).toContain('approved by Abe Approver');
    expect(one).toContain('No replica yet.');
    expect(text(await f.harness.say(USERS.viewer, 'groups'))).toContain('⚪ **prod-vms**');
  });

  it('a replica recorded shows its age against the RPO as a light', async () => {
    const now = Date.now();
    await createProtectionGroupStore(f.store).recordReplica('prod-vms', {
      snapshot: 'rackops-prod-vms-20261206T000000Z',
      snapshotAt: new Date(now - 25 * 60_000).toISOString(),
      completedAt: new Date(now - 24 * 60_000).toISOString(),
      bytes: 3 * 1024 * 1024,
      incremental: true,
      seconds: 2,
    });
    const list = text(await f.harness.say(USERS.viewer, 'groups'));
    expect(list).toContain('🟡 **prod-vms**');
    expect(list).toContain('replica 25 min old (RPO 30 min) · 3.0 MB increment · runs every 15 min');
  });

  it('replicate GROUP now starts a replication_sync job; a second while one is pending is refused', async () => {
    const replies = await f.harness.say(USERS.operator, 'replicate prod-vms now');
    const job = (await f.store.listJobsByTarget('protection_group', 'prod-vms', { limit: 5 })).items[0];
    expect(job?.type).toBe('replication_sync');
    // The job's card is posted in the conversation.
    expect(JSON.stringify(replies)).toContain(job?.id);

    const held = await f.store.createJob(
      aJob({ type: 'replication_sync', target: { kind: 'protection_group', id: 'prod-vms' } }),
    );
    const again = text(await f.harness.say(USERS.operator, 'replicate prod-vms'));
    expect(again).toMatch(/already replicating \(job \S+\): this run is skipped/);
    await f.store.transitionJob(held.id, { type: 'cancel', actor: { kind: 'user', id: 'u-test' } });
  });

  it('pg pause cancels the schedule and refuses replicate; pg resume schedules again', async () => {
    expect(text(await f.harness.say(USERS.operator, 'pg pause prod-vms'))).toContain('prod-vms paused');
    expect(f.scheduler.recurring.has('pg-prod-vms')).toBe(false);
    expect(text(await f.harness.say(USERS.operator, 'replicate prod-vms now'))).toContain(
      'protection group prod-vms is paused: resume it first',
    );
    expect(text(await f.harness.say(USERS.viewer, 'groups'))).toContain('⏸️ **prod-vms**');
    expect(text(await f.harness.say(USERS.operator, 'pg resume prod-vms'))).toContain('resumed');
    expect(f.scheduler.recurring.get('pg-prod-vms')?.everyMinutes).toBe(15);
  });

  it('bad input is refused before anything is stored: names, injection, duplicates, roles', async () => {
    const before = (await createProtectionGroupStore(f.store).list()).length;
    const refused = [
      ['protect Prod_VMs nas-a:tank/x nas-b:tank/y', 'lower-case letters, digits and single dashes'],
      ['protect pg2 nas-a nas-b:tank/y', 'APPLIANCE:DATASET'],
      ['protect pg2 nas-a:tank/x;rm nas-b:tank/y', 'APPLIANCE:DATASET'],
      ['protect pg2 nas-a:tank/$(reboot) nas-b:tank/y', 'APPLIANCE:DATASET'],
      ['protect pg2 nas-a:-oinject nas-b:tank/y', 'APPLIANCE:DATASET'],
      ['protect pg2 nas-a:tank/x nas-a:tank/x', 'the target dataset must differ'],
      ['protect prod-vms nas-a:tank/x nas-b:tank/y', 'protection group prod-vms already exists'],
      ['protect pg2 nas-a:tank/x nas-b:tank/y rpo 0', 'rpo'],
    ];
    for (const [cmd, why] of refused)
      expect(text(await f.harness.say(USERS.operator, cmd as string)), cmd).toContain(why);
    expect(await createProtectionGroupStore(f.store).list()).toHaveLength(before);
    expect(text(await f.harness.say(USERS.viewer, 'protect pg3 nas-a:tank/x nas-b:tank/y'))).toContain(
      'operator',
    );
    expect(text(await f.harness.say(USERS.viewer, 'pg nope'))).toContain('protection group nope not found');
  });
  it('pg create / protect store the transport and consistency modes; bad values store nothing and explain', async () => {
    const pgs = createProtectionGroupStore(f.store);
    const created: [string, string, { transport: string; vmConsistent: boolean }][] = [
      [
        'pg create modes-a nas-a:tank/ma nas-b:dr/ma transport direct consistency vm',
        'modes-a',
        { transport: 'direct', vmConsistent: true },
      ],
      [
        'protect modes-b nas-a:tank/mb nas-b:dr/mb consistency crash',
        'modes-b',
        { transport: 'agent', vmConsistent: false },
      ],
      [
        'protect modes-c nas-a:tank/mc nas-b:dr/mc transport agent consistency vm',
        'modes-c',
        { transport: 'agent', vmConsistent: true },
      ],
      ['pg create modes-d nas-a:tank/md nas-b:dr/md', 'modes-d', { transport: 'agent', vmConsistent: false }],
    ];
    for (const [cmd, group, modes] of created) {
      const t = text(await f.harness.say(USERS.operator, cmd));
      expect(t, cmd).toContain(`Protection group **${group}** created`);
      expect(t, cmd).toContain(
        `transport ${modes.transport}, ${modes.vmConsistent ? 'VM-consistent' : 'crash-consistent'}`,
      );
      expect((await pgs.get(group))?.value, cmd).toMatchObject(modes);
    }
    expect(text(await f.harness.say(USERS.viewer, 'pg modes-a'))).toContain(
      'transport direct · VM-consistent (quiesced VMware snapshots)',
    );

    const before = (await pgs.list()).length;
    const refused: [string, string][] = [
      ['pg create modes-x nas-a:tank/mx nas-b:dr/mx transport ftp', 'transport'],
      ['protect modes-x nas-a:tank/mx nas-b:dr/mx consistency app', 'consistency'],
      ['pg create modes-x nas-a:tank/mx nas-b:dr/mx transport direct consistency', 'consistency'],
    ];
    for (const [cmd, why] of refused) {
      const t = text(await f.harness.say(USERS.operator, cmd));
      expect(t, cmd).toContain(why);
      expect(t, cmd).not.toContain('created');
    }
    expect(await pgs.get('modes-x')).toBeUndefined();
    expect(await pgs.list()).toHaveLength(before);
  });
});
