import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BotHarness, type ChatUser } from '@rackops/bot/testing/harness';
import type { Job } from '@rackops/core/jobs/job.schema';
import { afterAll, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import { type LocalStack, startLocalStack } from '../src/stack';

const BIOS = 'BIOS.Setup.1-1';
const TAG = 'LABA002';
const viewer: ChatUser = { id: '29:view', name: 'Vic Viewer', aadObjectId: 'aad-view' };

const open: { stop(): Promise<unknown> }[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of open.reverse()) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(dataDir: string): Promise<LocalStack> {
  const stack = await startLocalStack({ lab: true, dataDir, timeScale: 1 / 60 });
  open.push(stack);
  return stack;
}

async function finished(stack: LocalStack, jobId: string): Promise<Job> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const job = await stack.store.getJob(jobId);
    if (job && ['completed', 'failed', 'cancelled'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} is ${job?.status}; gave up waiting`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const chats = new Map<LocalStack, BotHarness>();

/** `server <tag>` in chat, as a viewer sees it: the BIOS version its header names and the one its list names. */
async function serverView(stack: LocalStack, tag: string): Promise<{ header?: string; list?: string }> {
  let bot = chats.get(stack);
  if (!bot) {
    bot = new BotHarness({
      config: {
        roles: { viewer: ['aad-view'], operator: [], approver: [], admin: [] },
        cardSecret: 'restart-test-card-secret-0123456789',
      },
      store: stack.store,
      orchestrator: stack.orchestrator,
      scheduler: stack.scheduler,
      startJob: stack.startJob,
    });
    chats.set(stack, bot);
    const closing = bot;
    open.push({ stop: () => closing.close() });
  }
  const text = (await bot.say(viewer, `server ${tag}`)).map((a) => a.text ?? '').join('\n');
  return {
    header: /^\*\*[A-Z0-9]+\*\* .*, BIOS (\S+)$/m.exec(text)?.[1],
    list: /^- BIOS: (\S+)$/m.exec(text)?.[1],
  };
}

describe('a local stack restarted on the same data dir', () => {
  it('shows the firmware the (fresh) lab has, the same in the server view header and list', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rackops-restart-inventory-'));
    dirs.push(dataDir);

    // First life: the iDRAC read after an update stored LABA002 with a newer BIOS than the lab starts with.
    const first = await start(dataDir);
    const host = first.lab!.world.host(TAG);
    const shipped = host.firmware.get(BIOS)!.version;
    const latest = first.lab!.world.latestFirmware().find((p) => p.fqdds.includes(BIOS))!.version;
    expect(latest).not.toBe(shipped);
    // What an applied update leaves in the lab (lab/src/world/idrac-jobs.ts installs the same way).
    host.firmware.set(BIOS, {
      version: latest,
      previousVersion: shipped,
      installedAt: new Date().toISOString(),
    });
    const read = await first.store.createJob(
      aJob({ type: 'inventory_sync', target: { kind: 'host', id: TAG }, params: {} }),
    );
    await first.startJob(read.id, { kind: 'user', id: 'u-test' });
    expect(await finished(first, read.id)).toMatchObject({ status: 'completed' });
    // The read's job may end just before its page is fully ingested (the old components marked gone).
    await expect
      .poll(() => serverView(first, TAG), { timeout: 10_000 })
      .toEqual({ header: latest, list: latest });
    await first.stop();

    // Second life: the lab is in memory and starts afresh; the Store persisted under the data dir.
    const second = await start(dataDir);
    const now = second.lab!.world.host(TAG).firmware.get(BIOS)!.version;
    expect(now).toBe(shipped);
    expect(await serverView(second, TAG)).toEqual({ header: now, list: now });
  });
});
