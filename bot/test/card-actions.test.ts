import type { Job } from '@rackops/core/jobs/job.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DROP_ACCEPT_TYPE } from '@rackops/core/inventory/drop-guard';
import { REPORT_NOTE_KEY } from '@rackops/core/jobs/job-report.schema';
import { signCardData } from '../src/cards/card-data';
import { type TranscriptEntry, cardActions, cardOf } from '../src/testing/harness';
import { CONFIG, type BotFixture, USERS, eventually, startBotFixture, vm } from './support/bot-fixture';

/** A button's data as the card shows it now (cards are updated in place, so take it before clicking). */
const buttonData = (entry: TranscriptEntry, title: string): Record<string, unknown> =>
  structuredClone(cardActions(cardOf(entry.activity)!).find((a) => a.title === title)!.data);

const said = (r: { replies: { text?: string }[] }): string => r.replies.map((x) => x.text ?? '').join('\n');

describe('every card action, via Action.Execute (Teams) and Action.Submit (Web Chat)', () => {
  let f: BotFixture;
  let conv = 0;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  /** Start a job by chat in a fresh conversation; return it and its card message. */
  async function startJob(
    command: string,
    target: [string, string],
  ): Promise<{ job: Job; entry: TranscriptEntry; c: string }> {
    const c = `conv-${++conv}`;
    await f.harness.say(USERS.operator, command, c);
    const job = (await f.store.listJobsByTarget(target[0], target[1], { limit: 1 })).items[0]!;
    const entry = f.harness.lastCard(c)!;
    return { job, entry, c };
  }

  async function pausedJob(blockers: Parameters<typeof vm>[] = [['p1', 'usb_passthrough', 'critical']]) {
    f.blockers = { LABA001: blockers.map((b) => vm(...b)) };
    const s = await startJob('update cluster lab-a', ['cluster', 'domain-c1']);
    await eventually(
      () => f.store.getJob(s.job.id),
      (j) => j?.status === 'paused',
    );
    const entry = await eventually(
      async () => f.harness.lastCard(s.c, 'Resume job'),
      (e) => !!e,
    );
    return { ...s, entry: entry! };
  }

  for (const via of ['execute', 'submit'] as const) {
    describe(`via ${via}`, () => {
      it('approve: a different approver approves a production job, which then starts', async () => {
        f.blockers = {};
        const { job, entry } = await startJob('update cluster prod-a', ['cluster', 'domain-c2']);
        const r = await f.harness.click(USERS.approver, entry, 'Approve', { via });
        expect(JSON.stringify(r.card)).toContain('Approved by Ada Approver');
        const done = await eventually(
          () => f.store.getJob(job.id),
          (j) => j?.status === 'completed',
        );
        expect(done?.approvedBy?.id).toBe('aad-appr');
        if (via === 'execute') expect(r.invokeResponse?.status).toBe(200);
      });

      it('four-eyes: the requester cannot approve their own job, even as approver', async () => {
        const c = `conv-${++conv}`;
        await f.harness.say(USERS.approver, 'update cluster prod-a', c);
        const job = (await f.store.listJobsByTarget('cluster', 'domain-c2', { limit: 1 })).items[0]!;
        const r = await f.harness.click(USERS.approver, f.harness.lastCard(c)!, 'Approve', { via });
        expect(said(r) + JSON.stringify(r.invokeResponse ?? '')).toContain('different person');
        expect((await f.store.getJob(job.id))?.status).toBe('pending');
        expect((await f.store.getJob(job.id))?.approvedBy).toBeUndefined();
      });

      it('approve needs the approver role; an operator is refused and nothing changes', async () => {
        const { job, entry } = await startJob('update cluster prod-a', ['cluster', 'domain-c2']);
        const r = await f.harness.click(USERS.operator2, entry, 'Approve', { via });
        expect(said(r) + JSON.stringify(r.invokeResponse ?? '')).toContain('needs the **approver** role');
        expect(await f.store.getJob(job.id)).toEqual(job);
      });

      it('reject cancels the job before it runs, with the comment', async () => {
        const { job, entry } = await startJob('update cluster prod-a', ['cluster', 'domain-c2']);
        await f.harness.click(USERS.approver2, entry, 'Reject', {
          via,
          inputs: { in_comment: 'not tonight' },
        });
        const rejected = await f.store.getJob(job.id);
        expect(rejected).toMatchObject({
          status: 'cancelled',
          summary: 'rejected by Abe Approver: not tonight',
        });
      });

      it('stale approval card: approving after a rejection says the job moved on and changes nothing', async () => {
        const { job, entry } = await startJob('update cluster prod-a', ['cluster', 'domain-c2']);
        const approve = buttonData(entry, 'Approve');
        await f.harness.click(USERS.approver, entry, 'Reject', { via });
        const after = await f.store.getJob(job.id);
        const stale = await f.harness.submitCardData(USERS.approver2, entry, approve, via, 'job.approve');
        expect(said(stale) + JSON.stringify(stale.invokeResponse ?? '')).toMatch(/out of date/);
        expect(await f.store.getJob(job.id)).toEqual(after);
      });

      it('refresh re-renders the card from the Store', async () => {
        const { entry } = await startJob('scp export LABA001', ['host', 'LABA001']);
        const r = await f.harness.click(USERS.viewer, entry, 'Refresh', { via });
        expect(JSON.stringify(r.card)).toContain('SCP export');
      });

      it('cancel (graceful) from the blocker card: cleanup runs, job cancelled', async () => {
        const { job, entry } = await pausedJob();
        await f.harness.click(USERS.operator, entry, 'Cancel job', { via });
        const done = await eventually(
          () => f.store.getJob(job.id),
          (j) => j?.status === 'cancelled',
        );
        expect(done?.cancelRequested).toBe('graceful');
        expect((await f.store.listLog(job.id)).items.map((l) => l.message)).toContain('HA settings restored');
      });

      it('blocker wizard: choices per VM, skip host and order are stored as the resolution; the job resumes', async () => {
        f.blockers = {
          LABA001: [vm('w1', 'usb_passthrough', 'critical'), vm('w2', 'connected_iso', 'warning')],
          LABA002: [vm('w3', 'affinity_rule', 'warning')],
        };
        const s = await startJob('update cluster lab-a', ['cluster', 'domain-c1']);
        await eventually(
          () => f.store.getJob(s.job.id),
          (j) => j?.status === 'paused',
        );
        const entry = (await eventually(
          async () => f.harness.lastCard(s.c, 'Resume job'),
          (e) => !!e,
        ))!;
        const r = await f.harness.click(USERS.operator, entry, 'Resume job', {
          via,
          inputs: { h0_v1: 'migrate', h1_skip: 'true', h0_order: '1' },
        });
        expect(said(r)).toContain('1 host(s) skipped');
        await eventually(
          () => f.store.getJob(s.job.id),
          (j) => j?.status === 'completed',
        );
        const items = Object.fromEntries(
          (await f.store.listJobItems<Record<string, unknown>>(s.job.id, 'resolution')).map((i) => [
            i.key,
            i.data,
          ]),
        );
        expect(items.LABA001).toMatchObject({
          skipHost: false,
          vms: [
            { vmId: 'w1', action: 'power_off' },
            { vmId: 'w2', action: 'migrate' },
          ],
        });
        expect(items.LABA002).toMatchObject({ skipHost: true });
        expect(items._order).toMatchObject({ hostOrder: ['LABA001'] });
      });

      it('blocker wizard refuses a choice the card did not offer (migrate a USB VM) and changes nothing', async () => {
        const { job, entry } = await pausedJob();
        const r = await f.harness.click(USERS.operator, entry, 'Resume job', {
          via,
          inputs: { h0_v0: 'migrate' },
        });
        expect(said(r) + JSON.stringify(r.invokeResponse ?? '')).toContain('is not one of power_off');
        expect((await f.store.getJob(job.id))?.status).toBe('paused');
        expect(await f.store.listJobItems(job.id, 'resolution')).toEqual([]);
        await f.harness.click(USERS.operator, entry, 'Cancel job', { via });
      });

      it('blocker wizard needs the operator role', async () => {
        const { job, entry } = await pausedJob();
        const r = await f.harness.click(USERS.viewer, entry, 'Resume job', { via });
        expect(said(r) + JSON.stringify(r.invokeResponse ?? '')).toContain('needs the **operator** role');
        expect((await f.store.getJob(job.id))?.status).toBe('paused');
        await f.harness.click(USERS.operator, entry, 'Cancel job', { via });
      });

      it('confirm power: creates the job; the confirmation works once; abort does nothing', async () => {
        const c = `conv-${++conv}`;
        await f.harness.say(USERS.operator, 'power LABA003 restart', c);
        const entry = f.harness.lastCard(c, 'Please confirm')!;
        const confirmData = buttonData(entry, 'Confirm');
        const r = await f.harness.click(USERS.operator, entry, 'Confirm', { via });
        expect(JSON.stringify(r.card)).toContain('confirmed');
        const job = (await f.store.listJobsByTarget('host', 'LABA003', { limit: 1 })).items[0]!;
        expect(job).toMatchObject({ type: 'power_operation', params: { action: 'GracefulRestart' } });
        const again = await f.harness.submitCardData(USERS.operator, entry, confirmData, via, 'confirm.run');
        expect(said(again) + JSON.stringify(again.invokeResponse ?? '')).toContain('already');
        await f.harness.say(USERS.operator, 'media eject LABA003', c);
        const ejectCard = f.harness.lastCard(c, 'Please confirm')!;
        const before = (await f.store.listRecentJobs({ limit: 100 })).items.length;
        const ab = await f.harness.click(USERS.operator, ejectCard, 'Abort', { via });
        expect(JSON.stringify(ab.card)).toContain('Nothing was done');
        expect((await f.store.listRecentJobs({ limit: 100 })).items.length).toBe(before);
      });

      it('confirm media mount on a production host: needs approval before it starts', async () => {
        const c = `conv-${++conv}`;
        await f.harness.say(USERS.operator, 'media mount PROD001 https://repo.lab/esxi.iso', c);
        await f.harness.click(USERS.operator, f.harness.lastCard(c, 'Please confirm')!, 'Confirm', { via });
        const job = (await f.store.listJobsByTarget('host', 'PROD001', { limit: 1 })).items[0]!;
        expect(job).toMatchObject({
          type: 'virtual_media_mount',
          status: 'pending',
          requiresApproval: true,
          params: { image: 'https://repo.lab/esxi.iso' },
        });
      });

      it('force resume: admin only, needs a reason, audited', async () => {
        const { job, c } = await pausedJob();
        await f.harness.say(USERS.admin, `resume ${job.id} force`, c);
        const entry = f.harness.lastCard(c, 'force-resume')!;
        const noReason = await f.harness.click(USERS.admin, entry, 'Confirm', { via });
        expect(said(noReason) + JSON.stringify(noReason.invokeResponse ?? '')).toContain('needs a reason');
        const op = await f.harness.click(USERS.operator, entry, 'Confirm', {
          via,
          inputs: { in_reason: 'vendor says ok' },
        });
        expect(said(op) + JSON.stringify(op.invokeResponse ?? '')).toContain('needs the **admin** role');
        await f.harness.click(USERS.admin, entry, 'Confirm', {
          via,
          inputs: { in_reason: 'vendor says ok' },
        });
        await eventually(
          () => f.store.getJob(job.id),
          (j) => j?.status === 'completed',
        );
        const audit = await f.store.listAuditByJob(job.id);
        expect(audit.find((a) => a.action === 'job.force_resume')?.detail).toEqual({
          reason: 'vendor says ok',
        });
      });

      it('expired confirmation changes nothing', async () => {
        const key = { secret: CONFIG.cardSecret as string, conversationId: `conv-exp-${via}` };
        const data = signCardData(key, 'confirm.run', {
          cid: `exp-${via}`,
          op: { kind: 'media_eject', hostId: 'LABA004', hostName: 'x', production: false },
          exp: '2020-01-01T00:00:00.000Z',
          by: 'someone',
        });
        const entry = {
          id: 'm0',
          conversationId: `conv-exp-${via}`,
          activity: {},
          updates: 0,
          proactive: false,
        };
        const before = (await f.store.listJobsByTarget('host', 'LABA004', { limit: 5 })).items.length;
        const r = await f.harness.submitCardData(USERS.operator, entry, data, via, 'confirm.run');
        expect(said(r) + JSON.stringify(r.invokeResponse ?? '')).toContain('expired');
        expect((await f.store.listJobsByTarget('host', 'LABA004', { limit: 5 })).items.length).toBe(before);
      });

      it('tampered card data (changed job id, version or verb) is refused and changes nothing', async () => {
        const { job, entry } = await pausedJob();
        const before = await f.store.getJob(job.id);
        const button = cardActions(cardOf(entry.activity)!).find((a) => a.title === 'Cancel job')!;
        const p = button.data.p as Record<string, unknown>;
        const forged: Record<string, unknown>[] = [
          { ...button.data, p: { ...p, v: (p.v as number) + 1 } },
          { ...button.data, verb: 'job.approve' },
          { ...button.data, sig: 'f'.repeat(64) },
          { ...button.data, p: { ...p, mode: 'immediate' } },
        ];
        for (const data of forged) {
          const r = await f.harness.submitCardData(USERS.admin, entry, data, via, String(data.verb));
          expect(said(r) + JSON.stringify(r.invokeResponse ?? '')).toContain('does not verify');
        }
        expect(await f.store.getJob(job.id)).toEqual(before);
        await f.harness.click(USERS.operator, entry, 'Cancel job', { via });
      });

      it('stale wizard card: after the job resumed, the old card changes nothing and says why', async () => {
        const { job, entry } = await pausedJob();
        const resume = buttonData(entry, 'Resume job');
        await f.harness.click(USERS.operator, entry, 'Resume job', { via });
        await eventually(
          () => f.store.getJob(job.id),
          (j) => j?.status === 'completed',
        );
        const after = await f.store.getJob(job.id);
        const stale = await f.harness.submitCardData(USERS.operator, entry, resume, via, 'wizard.submit');
        expect(said(stale) + JSON.stringify(stale.invokeResponse ?? '')).toContain('out of date');
        expect(await f.store.getJob(job.id)).toEqual(after);
      });
    });
  }

  it('card actions are audit events (with the verb and outcome)', async () => {
    const audit = (await f.store.listAuditByActor('aad-oper')).items.filter(
      (a) => a.action === 'chat.card_action',
    );
    expect(audit.length).toBeGreaterThan(5);
    expect(audit.map((a) => a.detail?.via)).toEqual(expect.arrayContaining(['execute', 'submit']));
  });
});

describe('a held inventory sync: accept the smaller estate, or keep everything', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  /** A finished sync the drop guard held, as the workflow's finish records it, shown with `job <id>`. */
  async function heldSync(c: string) {
    const actor = { kind: 'user' as const, id: 'aad-oper', name: 'Olga Operator' };
    const now = new Date().toISOString();
    const created = await f.store.createJob({
      id: `01HELD${c.toUpperCase().padEnd(20, '0')}`.slice(0, 26),
      type: 'inventory_sync',
      target: { kind: 'vcenter', id: 'vc-lab' },
      params: { source: 'vcenter' },
      createdBy: actor,
      createdAt: now,
      scheduleAt: now,
      details: {},
      requiresApproval: false,
      conversationId: c,
    });
    await f.store.transitionJob(created.id, { type: 'start', actor });
    await f.store.putJobItem(created.id, 'note', REPORT_NOTE_KEY, {
      outcome: 'completed',
      summary: 'inventory synced: 1 cluster, 2 hosts, 10 VMs; 0 changed, nothing marked gone',
      problems: [],
      next: [],
      hosts: [],
      facts: [],
      inventoryDrop: {
        source: 'vcenter',
        sourceId: 'vc-lab',
        drops: [{ type: 'host', was: 4, now: 2 }],
        totals: { vcenter: 1, cluster: 1, host: 2, vm: 10 },
      },
    });
    await f.store.transitionJob(created.id, { type: 'complete', actor, summary: 'held' });
    await f.harness.say(USERS.operator, `job ${created.id}`, c);
    return { job: created, entry: f.harness.lastCard(c, 'Accept and mark gone')! };
  }

  it('the card says what fell and that nothing was marked gone; Accept records it and starts a new sync', async () => {
    const { entry } = await heldSync('drop-accept');
    const text = JSON.stringify(cardOf(entry.activity));
    expect(text).toContain('hosts 4 → 2');
    expect(text).toContain('Nothing was marked gone');
    expect(await f.store.getRecord(DROP_ACCEPT_TYPE, 'vcenter:vc-lab')).toBeUndefined();
    const data = buttonData(entry, 'Accept and mark gone');
    const r = await f.harness.click(USERS.operator, entry, 'Accept and mark gone');
    expect(JSON.stringify(r.card)).toContain('accepted that vcenter vc-lab now reports hosts 4 → 2');
    const accepted = await f.store.getRecord<{ totals: Record<string, number>; by: string }>(
      DROP_ACCEPT_TYPE,
      'vcenter:vc-lab',
    );
    expect(accepted?.data).toMatchObject({ totals: { host: 2, vm: 10 }, by: 'Olga Operator' });
    const syncs = (await f.store.listJobsByTarget('vcenter', 'vc-lab', { limit: 5 })).items;
    expect(syncs.filter((j) => j.type === 'inventory_sync')).toHaveLength(2);
    // Answered once: a second click changes nothing.
    const again = await f.harness.submitCardData(USERS.operator, entry, data, 'execute', 'confirm.run');
    expect(said(again) + JSON.stringify(again.invokeResponse ?? '')).toContain('already used');
    expect((await f.store.listJobsByTarget('vcenter', 'vc-lab', { limit: 5 })).items).toHaveLength(2);
  });

  it('Keep changes nothing and says so; a viewer may not answer', async () => {
    const { entry } = await heldSync('drop-keep');
    const refused = await f.harness.click(USERS.viewer, entry, 'Keep everything');
    expect(said(refused) + JSON.stringify(refused.invokeResponse ?? '')).toContain(
      'needs the **operator** role',
    );
    const r = await f.harness.click(USERS.operator, entry, 'Keep everything');
    expect(JSON.stringify(r.card)).toContain('kept every stored object of vcenter vc-lab');
  });
});
