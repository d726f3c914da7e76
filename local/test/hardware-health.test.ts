import { BotHarness, type ChatUser, replyText } from '@rackops/bot/testing/harness';
import { INVENTORY_TYPES } from '@rackops/core/inventory/inventory.schema';
import type { Job } from '@rackops/core/jobs/job.schema';
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../src/stack';

const OLGA: ChatUser = { id: '29:oper', name: 'Olga Operator', aadObjectId: 'aad-oper' };
const TAG = 'LABA002';

/**
 * `health host ID refresh` end to end on the local stack: the job, the relay agent's `inventory.health` against
 * the lab's iDRAC, the read kept in the Store, `health host` showing it, and `host_unhealthy` told once through
 * the bot's notification pipeline when a lab fault makes the server critical.
 */
describe('hardware health from the lab, through chat', () => {
  let stack: LocalStack;
  let chat: BotHarness;
  beforeAll(async () => {
    let harness: BotHarness | undefined;
    stack = await startLocalStack({
      lab: true,
      agent: true,
      timeScale: 1 / 600,
      syncInventoryAtStart: true,
      notifier: { notify: async (e) => harness?.bot.notifier.notify(e) },
    });
    harness = new BotHarness({
      config: {
        roles: { viewer: ['aad-view'], operator: ['aad-oper'], approver: [], admin: [] },
        cardSecret: 'hardware-health-test-card-secret-0123',
      },
      store: stack.store,
      orchestrator: stack.orchestrator,
      scheduler: stack.scheduler,
      startJob: stack.startJob,
    });
    chat = harness;
  }, 120_000);
  afterAll(async () => {
    await chat?.close();
    await stack?.stop();
  });

  // The reply to a `health` command: the read job's own end may be told in the conversation at the same moment.
  const text = (replies: Partial<Activity>[]) =>
    replies
      .map(replyText)
      .filter((t) => !/^[✅❌]/u.test(t))
      .join('\n');
  async function refresh(): Promise<Job> {
    const before = new Set(
      (await stack.store.listJobsByTarget('host', TAG, { limit: 50 })).items.map((j) => j.id),
    );
    await chat.say(OLGA, `health host ${TAG} refresh`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const job = (await stack.store.listJobsByTarget('host', TAG, { limit: 50 })).items.find(
        (j) => !before.has(j.id),
      );
      if (job && ['completed', 'failed', 'cancelled'].includes(job.status)) return job;
      if (Date.now() > deadline) throw new Error(`the health read of ${TAG} did not finish (${job?.status})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const unhealthy = () => chat.texts().filter((t) => t.startsWith('🩺'));

  it('`inventory sync` in chat reads every lab host’s hardware: `health` then shows its rollups, not "never read"', async () => {
    // Synced at start, never read: unknown everywhere, with how it gets read; never ok.
    const before = text(await chat.say(OLGA, 'health'));
    expect(before).toContain('never read: its health is read by `inventory.health`');
    expect(before).toMatch(/- ⚪ \*\*hardware\*\* — \d+ unknown/);
    expect(before).toContain('🟢 **0** ok');

    const hosts = (await stack.store.listRecordsByType(INVENTORY_TYPES.host, { limit: 100 })).items
      .filter((r) => !r.gone)
      .map((r) => r.id);
    expect(hosts.length).toBeGreaterThan(0);
    const started = Date.now();
    const said = text(await chat.say(OLGA, 'inventory sync'));
    expect(said).toContain(`Hardware health: reading ${hosts.length} host(s)`);
    // Every host's read (an inventory_sync job with read: health) ends.
    await expect
      .poll(
        async () => {
          const ended = await Promise.all(
            hosts.map(async (h) =>
              (await stack.store.listJobsByTarget('host', h, { limit: 20 })).items.some(
                (j) =>
                  j.params.read === 'health' &&
                  Date.parse(j.createdAt) >= started - 1000 &&
                  ['completed', 'failed', 'cancelled'].includes(j.status),
              ),
            ),
          );
          return ended.filter(Boolean).length;
        },
        { timeout: 90_000, interval: 250 },
      )
      .toBe(hosts.length);

    const after = text(await chat.say(OLGA, 'health'));
    expect(after).not.toContain('never read');
    expect(after).not.toContain('not read');
    expect(after).toContain(`- 🟢 **hardware** — ${hosts.length} ok`);
    expect(after).toContain(`🟢 **${hosts.length}** ok`);
    expect(after).toContain('⚪ **0** unknown');
  }, 150_000);

  it('a healthy server: the read completes and `health host` shows its hardware ok', async () => {
    const job = await refresh();
    expect(job.status).toBe('completed');
    expect(job.summary).toContain('hardware: 7 parts OK');
    const t = text(await chat.say(OLGA, `health host ${TAG}`));
    expect(t).toContain('- 🟢 **hardware** — 1 ok');
    expect(unhealthy()).toEqual([]);
  }, 60_000);

  it('a failed power supply in the lab: critical in `health host`, with the SEL entry, and host_unhealthy told once', async () => {
    stack.lab?.faults.set(TAG, { hardware: { component: 'power', severity: 'Critical' } });
    expect((await refresh()).status).toBe('completed');
    const t = text(await chat.say(OLGA, `health host ${TAG}`));
    expect(t.split('\n')[0]).toMatch(/^\*\*Health\*\* — host esx-a02\.lab\.local: 🔴 critical$/);
    expect(t).toContain('- 🔴 **hardware** — 1 critical');
    expect(t).toContain('  - critical · LABA002 (esx-a02.lab.local): system: Critical');
    expect(t).toContain('  - critical · LABA002 (esx-a02.lab.local): power: Critical');
    expect(t).toMatch(
      / {2}- critical · LABA002 \(esx-a02.lab.local\): recent log entry: SEL critical \S+: Power supply 2 is lost\./,
    );
    await expect.poll(unhealthy, { timeout: 10_000 }).toHaveLength(1);
    expect(unhealthy()[0]).toMatch(
      /^🩺 Server \*\*LABA002\*\* is critical: system: Critical; power: Critical; SEL critical \S+: Power supply 2 is lost\.$/,
    );

    // The fleet lists every server (each was read by the `inventory sync` above).
    expect(text(await chat.say(OLGA, 'health'))).toMatch(
      /- 🔴 \*\*hardware\*\* — 1 critical, \d+ ok\n {2}- critical · LABA002 \(esx-a02\.lab\.local\): system: Critical/,
    );

    // Read again while still critical: no second message.
    await refresh();
    await new Promise((r) => setTimeout(r, 500));
    expect(unhealthy()).toHaveLength(1);
  }, 90_000);

  it('an iDRAC that does not answer: the read fails and `health host` says so, as a warning', async () => {
    const tag = 'LABA003';
    stack.lab?.faults.set(tag, { errorRate: 1 });
    const before = new Set(
      (await stack.store.listJobsByTarget('host', tag, { limit: 50 })).items.map((j) => j.id),
    );
    await chat.say(OLGA, `health host ${tag} refresh`);
    await expect
      .poll(
        async () =>
          (await stack.store.listJobsByTarget('host', tag, { limit: 50 })).items.find(
            (j) => !before.has(j.id),
          )?.status,
        { timeout: 60_000, interval: 200 },
      )
      .toBe('failed');
    stack.lab?.faults.clear(tag);
    const t = text(await chat.say(OLGA, `health host ${tag}`));
    expect(t).toContain('- 🟠 **hardware** — 1 warning');
    expect(t).toMatch(/ {2}- warning · LABA003 \(\S+\): iDRAC not reachable: .+/);
  }, 90_000);

  it('an operator only: a viewer may look but not start a read', async () => {
    const vic: ChatUser = { id: '29:view', name: 'Vic Viewer', aadObjectId: 'aad-view' };
    expect(text(await chat.say(vic, `health host ${TAG} refresh`))).toMatch(/operator/);
  });
});
