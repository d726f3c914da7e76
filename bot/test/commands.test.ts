import { INVENTORY_TYPES } from '@rackops/core/inventory/inventory.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardActions, cardOf } from '../src/testing/harness';
import { type BotFixture, USERS, eventually, startBotFixture, vm } from './support/bot-fixture';

const text = (replies: { text?: string }[]): string => replies.map((r) => r.text ?? '').join('\n');

describe('every chat command through the real bot (TestAdapter, dynalite, local engine)', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('help and help <command>', async () => {
    expect(text(await f.harness.say(USERS.viewer, 'help'))).toContain('`power HOST ACTION`');
    expect(text(await f.harness.say(USERS.viewer, 'help cancel'))).toContain('Role needed: **operator**');
  });

  it('status: agents, active jobs, approvals', async () => {
    await f.store.putRecord({
      type: 'agent-heartbeat',
      id: 'agent-1',
      data: { at: new Date().toISOString(), version: '1.0.0' },
    });
    const t = text(await f.harness.say(USERS.viewer, 'status'));
    expect(t).toContain('agent **agent-1**');
    expect(t).not.toContain('Relay agents:');
    expect(t).toContain('Waiting for approval');
  });

  it('status: both agents of a pair, what each is running, how many are online', async () => {
    await f.store.putRecord({
      type: 'agent-heartbeat',
      id: 'agent-2',
      data: {
        at: new Date().toISOString(),
        version: '1.0.0',
        inFlight: [{ commandId: 'c1', kind: 'host.apply-and-reboot', target: 'idrac:LABA001' }],
      },
    });
    await f.store.putRecord({
      type: 'agent-heartbeat',
      id: 'agent-3',
      data: { at: new Date(Date.now() - 600_000).toISOString(), version: '1.0.0', inFlight: [] },
    });
    const t = text(await f.harness.say(USERS.viewer, 'status'));
    expect(t).toContain('Relay agents: 2 of 3 online, sharing the commands queue');
    expect(t).toMatch(
      /🟢 agent \*\*agent-2\*\* — last seen \d+s ago \(v1\.0\.0\), working on: host\.apply-and-reboot idrac:LABA001/,
    );
    expect(t).toMatch(/🔴 agent \*\*agent-3\*\*/);
  });

  it('hosts <cluster> lists hosts by name', async () => {
    const t = text(await f.harness.say(USERS.viewer, 'hosts lab-a'));
    expect(t).toContain('esx-lab-a-1');
    expect(t).toContain('non-production');
    const unknown = text(await f.harness.say(USERS.viewer, 'hosts nope'));
    expect(unknown).toContain('cluster nope is not in the inventory');
    // A typo or a cluster newer than the last sync: name what is known, and offer the sync.
    expect(unknown).toContain('known: lab-a, prod-a');
    expect(unknown).toContain('`inventory sync`');
  });

  it('server <service tag> shows the server and its firmware', async () => {
    const t = text(await f.harness.say(USERS.viewer, 'server laba001'));
    expect(t).toContain('PowerEdge R750');
    expect(t).toContain('BIOS: 1.8.2');
  });

  it('compliance <cluster> says clearly when no compliance source is wired', async () => {
    expect(text(await f.harness.say(USERS.viewer, 'compliance lab-a'))).toContain('not available yet');
  });

  it('inventory sync: every known source, or one named', async () => {
    const before = new Set((await f.store.listRecentJobs({ limit: 100 })).items.map((j) => j.id));
    const said = text(await f.harness.say(USERS.operator, 'inventory sync'));
    await f.harness.say(USERS.operator, 'inventory sync ome ome-lab');
    const jobs = (await f.store.listRecentJobs({ limit: 100 })).items.filter((j) => !before.has(j.id));
    const syncs = jobs.filter((j) => j.params.read === undefined);
    expect(syncs.map((j) => j.target)).toEqual(
      expect.arrayContaining([
        { kind: 'vcenter', id: 'vc-lab' },
        { kind: 'ome', id: 'ome-lab' },
      ]),
    );
    expect(syncs).toHaveLength(2);
    // With the vCenter's sync, one hardware health read (`inventory.health`) of each host it holds, as its
    // schedule tick does; the OME sync reads none.
    const hosts = (
      await f.store.listRecordsByType<{ vcenterId?: string }>(INVENTORY_TYPES.host, { limit: 100 })
    ).items
      .filter((r) => r.data.vcenterId === 'vc-lab')
      .map((r) => r.id);
    const reads = jobs.filter((j) => j.type === 'inventory_sync' && j.params.read === 'health');
    expect(hosts.length).toBeGreaterThan(0);
    expect(reads.map((j) => j.target.id).sort()).toEqual([...hosts].sort());
    expect(reads.every((j) => j.target.kind === 'host')).toBe(true);
    expect(said).toContain(`Hardware health: reading ${hosts.length} host(s) of vc-lab`);
  });

  it('update cluster (non-production) starts at once and posts a job card', async () => {
    f.blockers = {};
    const replies = await f.harness.say(USERS.operator, 'update cluster lab-a batch 2 dry-run');
    const card = cardOf(replies.find((r) => cardOf(r)));
    expect(JSON.stringify(card)).toContain('Rolling firmware update');
    const job = (await f.store.listJobsByTarget('cluster', 'domain-c1', { limit: 1 })).items[0]!;
    expect(job.params).toMatchObject({ batchSize: 2, dryRun: true });
    await eventually(
      () => f.store.getJob(job.id),
      (j) => j?.status === 'completed',
    );
  });

  it('update cluster at <time> schedules it', async () => {
    await f.harness.say(USERS.operator, 'update cluster lab-a at +30m');
    const job = (await f.store.listJobsByTarget('cluster', 'domain-c1', { limit: 1 })).items[0]!;
    expect(job.status).toBe('pending');
    expect(f.scheduler.schedules.get(`job-${job.id}`)?.at).toBe(job.scheduleAt);
    expect(text(await f.harness.say(USERS.operator, 'update cluster lab-a at tomorrow'))).toContain(
      'not a time',
    );
  });

  it('update cluster on production waits for four-eyes approval', async () => {
    const replies = await f.harness.say(USERS.operator, 'update cluster prod-a');
    const job = (await f.store.listJobsByTarget('cluster', 'domain-c2', { limit: 1 })).items[0]!;
    expect(job).toMatchObject({ status: 'pending', requiresApproval: true });
    expect(JSON.stringify(cardOf(replies.find((r) => cardOf(r))))).toContain('Approval needed');
    // The card names the cluster as people know it, not by its vCenter id.
    expect(JSON.stringify(cardOf(replies.find((r) => cardOf(r))))).toContain(
      'prod-a is a production cluster',
    );
    expect(f.harness.texts().some((t) => t.includes('Approval needed'))).toBe(true);
    expect(text(await f.harness.say(USERS.viewer, 'approvals'))).toContain(job.id);
  });

  it('update host creates a firmware update of one host', async () => {
    await f.harness.say(USERS.operator, 'update host LABA002');
    const job = (await f.store.listJobsByTarget('host', 'LABA002', { limit: 1 })).items[0]!;
    expect(job.type).toBe('firmware_update');
    expect(text(await f.harness.say(USERS.operator, 'update host NOPE999'))).toContain(
      'not in the inventory',
    );
  });

  it('jobs and job <id>', async () => {
    const job = (await f.store.listRecentJobs({ limit: 1 })).items[0]!;
    const list = text(await f.harness.say(USERS.viewer, 'jobs'));
    expect(list).toContain(job.id);
    // Clusters by the name people use, not the inventory id.
    expect(list).toContain('cluster **lab-a**');
    expect(list).toContain('cluster **prod-a**');
    expect(list).not.toContain('domain-c');
    expect(text(await f.harness.say(USERS.viewer, 'jobs completed'))).toContain('completed');
    const replies = await f.harness.say(USERS.viewer, `job ${job.id}`);
    expect(JSON.stringify(cardOf(replies[0]))).toContain(job.id);
    expect(text(await f.harness.say(USERS.viewer, 'job 01NOPE'))).toContain('job 01NOPE not found');
  });

  it('cancel <id> cancels a pending job at once; graceful/now on a paused one reaches cleanup', async () => {
    await f.harness.say(USERS.operator, 'update cluster lab-a at +2h');
    const pending = (await f.store.listJobsByTarget('cluster', 'domain-c1', { limit: 1 })).items[0]!;
    expect(text(await f.harness.say(USERS.operator, `cancel ${pending.id}`))).toContain(
      'cancelled before it started',
    );
    expect((await f.store.getJob(pending.id))?.status).toBe('cancelled');
    expect(f.scheduler.schedules.has(`job-${pending.id}`)).toBe(false);

    f.blockers = { LABA001: [vm('c1', 'usb_passthrough', 'critical')] };
    await f.harness.say(USERS.operator, 'update cluster lab-a', 'conv-cancel');
    const job = (await f.store.listJobsByTarget('cluster', 'domain-c1', { limit: 1 })).items[0]!;
    await eventually(
      () => f.store.getJob(job.id),
      (j) => j?.status === 'paused',
    );
    expect(text(await f.harness.say(USERS.operator, `cancel ${job.id} now`, 'conv-cancel'))).toContain(
      'Cancel (immediate) requested',
    );
    const done = await eventually(
      () => f.store.getJob(job.id),
      (j) => j?.status === 'cancelled',
    );
    expect(done?.cancelRequested).toBe('immediate');
    expect(text(await f.harness.say(USERS.operator, `cancel ${job.id}`, 'conv-cancel'))).toContain(
      'already cancelled',
    );
  });

  it('resume <id>: shows the blocker card again; force needs admin and a confirmation', async () => {
    f.blockers = { LABA002: [vm('r1', 'pci_passthrough', 'critical')] };
    await f.harness.say(USERS.operator, 'update cluster lab-a', 'conv-resume');
    const job = (await f.store.listJobsByTarget('cluster', 'domain-c1', { limit: 1 })).items[0]!;
    await eventually(
      () => f.store.getJob(job.id),
      (j) => j?.status === 'paused',
    );
    // The pause is also told in the conversation (through the notification pipeline): let it land first.
    await eventually(
      async () => f.harness.texts('conv-resume').some((t) => t.includes('Paused')),
      (told) => told,
    );
    const shown = await f.harness.say(USERS.operator, `resume ${job.id}`, 'conv-resume');
    expect(cardActions(cardOf(shown[0])!).map((a) => a.title)).toContain('Resume job');
    expect(text(await f.harness.say(USERS.operator, `resume ${job.id} force`, 'conv-resume'))).toContain(
      'needs the **admin** role',
    );
    const confirm = await f.harness.say(USERS.admin, `resume ${job.id} force`, 'conv-resume');
    expect(JSON.stringify(cardOf(confirm[0]))).toContain('force-resume job');
    expect(text(await f.harness.say(USERS.operator, 'resume 01NOTPAUSED', 'conv-resume'))).toContain(
      'not found',
    );
  });

  it('power, media mount and media eject ask for confirmation; nothing runs yet', async () => {
    const before = (await f.store.listRecentJobs({ limit: 100 })).items.length;
    for (const cmd of [
      'power LABA003 restart',
      'media mount LABA003 https://repo.lab/esxi.iso',
      'media eject LABA003',
    ]) {
      const replies = await f.harness.say(USERS.operator, cmd, 'conv-confirm');
      const card = cardOf(replies[0]);
      expect(JSON.stringify(card)).toContain('Please confirm');
      expect(cardActions(card!).map((a) => a.title)).toEqual(['Confirm', 'Abort']);
      // When it expires, as cards show times ("03:47 UTC"), not the ISO time its signature carries.
      expect(JSON.stringify(card)).toMatch(/"title":"Expires","value":"\d\d:\d\d UTC"/);
    }
    expect((await f.store.listRecentJobs({ limit: 100 })).items.length).toBe(before);
    expect(text(await f.harness.say(USERS.operator, 'power LABA003 explode', 'conv-confirm'))).toContain(
      'Bad `ACTION`',
    );
  });

  it('scp export starts a backup job (no confirmation: it changes nothing)', async () => {
    await f.harness.say(USERS.operator, 'scp export LABA004');
    expect((await f.store.listJobsByTarget('host', 'LABA004', { limit: 1 })).items[0]?.type).toBe(
      'scp_export',
    );
  });

  it('failover of an unknown group is refused (the command: failover-command.test.ts)', async () => {
    expect(text(await f.harness.say(USERS.admin, 'failover pg-1'))).toContain(
      'protection group pg-1 not found',
    );
  });

  it('unknown and malformed commands get a short error with the closest command', async () => {
    expect(text(await f.harness.say(USERS.viewer, 'hots lab-a'))).toContain('Did you mean `hosts CLUSTER`');
    expect(text(await f.harness.say(USERS.viewer, 'update cluster'))).toContain('Missing NAME');
  });

  it('RBAC: each refusal names the role needed; groups grant roles', async () => {
    expect(text(await f.harness.say(USERS.stranger, 'status'))).toContain(
      'needs the **viewer** role; you have no role',
    );
    expect(text(await f.harness.say(USERS.viewer, 'update cluster lab-a'))).toContain(
      'needs the **operator** role; you have **viewer**',
    );
    expect(text(await f.harness.say(USERS.viewer, 'power LABA001 off'))).toContain('**operator**');
    expect(text(await f.harness.say(USERS.operator, 'notify email add a@example.com'))).toContain(
      'needs the **admin** role',
    );
    expect(text(await f.harness.say(USERS.groupie, 'scp export LABA001'))).not.toContain('Not allowed');
    // Teams id (29:...) works as well as the AAD object id.
    expect(text(await f.harness.say(USERS.operator2, 'jobs'))).not.toContain('Not allowed');
  });

  it('every command is an audit event naming the person, including refused and invalid ones', async () => {
    const before = (await f.store.listAuditByActor('aad-who')).items.length;
    await f.harness.say(USERS.stranger, 'status');
    await f.harness.say(USERS.stranger, 'gibberish');
    const after = (await f.store.listAuditByActor('aad-who')).items;
    expect(after.length - before).toBe(2);
    expect(after.map((a) => a.detail?.outcome)).toEqual(expect.arrayContaining(['refused', 'invalid']));
  });
});

describe('a new user before any inventory sync', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture({}, { seed: false });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('hosts, compliance, update cluster and server say to run `inventory sync` first', async () => {
    for (const [who, cmd] of [
      [USERS.viewer, 'hosts lab-a'],
      [USERS.viewer, 'compliance lab-a'],
      [USERS.operator, 'update cluster lab-a'],
    ] as const) {
      const t = text(await f.harness.say(who, cmd));
      expect(t, cmd).toContain('cluster lab-a is not in the inventory');
      expect(t, cmd).toContain('the inventory is empty: run `inventory sync` first');
    }
    expect(text(await f.harness.say(USERS.viewer, 'server LABA001'))).toContain('run `inventory sync` first');
    expect((await f.store.listRecentJobs({ limit: 5 })).items).toEqual([]);
  });
});

describe('production clusters named by configuration (PRODUCTION_CLUSTERS), not only by the inventory', () => {
  let f: BotFixture;
  beforeAll(async () => {
    // lab-a is non-production in the inventory; the deployment says otherwise, by name (any case) and by id.
    f = await startBotFixture({ productionClusters: ['LAB-A'] });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('update cluster waits for a second person; the requester cannot approve; an approver can', async () => {
    f.blockers = {};
    const replies = await f.harness.say(USERS.operator, 'update cluster lab-a', 'conv-prod');
    const job = (await f.store.listJobsByTarget('cluster', 'domain-c1', { limit: 1 })).items[0]!;
    expect(job).toMatchObject({ status: 'pending', requiresApproval: true });
    expect(JSON.stringify(cardOf(replies.find((r) => cardOf(r))))).toContain('Approval needed');
    expect(text(await f.harness.say(USERS.viewer, 'hosts lab-a'))).toContain('(production');
    const card = f.harness.lastCard('conv-prod', 'Approve')!;
    const self = await f.harness.click(USERS.operator, card, 'Approve', { via: 'submit' });
    expect(text(self.replies)).toContain('Four-eyes: you requested job');
    expect(text(self.replies)).toContain('a different person with the **approver** role must approve it');
    expect((await f.store.getJob(job.id))?.status).toBe('pending');
    await f.harness.click(USERS.approver, f.harness.lastCard('conv-prod', 'Approve')!, 'Approve', {
      via: 'submit',
    });
    const done = await eventually(
      () => f.store.getJob(job.id),
      (j) => j?.status === 'completed',
    );
    expect(done?.approvedBy?.id).toBe('aad-appr');
  });

  it('a host of a production cluster is production too; other clusters are not', async () => {
    await f.harness.say(USERS.operator, 'update host LABA002', 'conv-prod-host');
    expect((await f.store.listJobsByTarget('host', 'LABA002', { limit: 1 })).items[0]).toMatchObject({
      status: 'pending',
      requiresApproval: true,
    });
    const byId = await startBotFixture({ productionClusters: ['domain-c1'] });
    try {
      await byId.harness.say(USERS.operator, 'update cluster lab-a');
      expect(
        (await byId.store.listJobsByTarget('cluster', 'domain-c1', { limit: 1 })).items[0],
      ).toMatchObject({
        requiresApproval: true,
      });
    } finally {
      await byId.close();
    }
    const none = await startBotFixture();
    try {
      none.blockers = {};
      await none.harness.say(USERS.operator, 'update cluster lab-a');
      expect(
        (await none.store.listJobsByTarget('cluster', 'domain-c1', { limit: 1 })).items[0],
      ).toMatchObject({
        requiresApproval: false,
      });
    } finally {
      await none.close();
    }
  });
});
