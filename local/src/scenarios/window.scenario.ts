import type { JobStep } from '@rackops/core/jobs/job.schema';
import { GUARD_MARGIN } from '@rackops/core/windows/fit';
import { createWindowStore } from '@rackops/core/windows/window-store';
import type { Occurrence } from '@rackops/core/windows/window.schema';
import { HostUpdateParams } from '@rackops/core/workflows/params';
import { APPROVER, startScenario } from './driver';
import { haOf, labOf, sleep } from './lab-facts';

const ENDED = ['completed', 'partial', 'failed', 'skipped', 'cancelled'];

/**
 * Runbook: an operator creates a recurring window on lab-a through the bot (every 3 minutes, 60 min long: on
 * the lab's 1/60 time scale a 60 s slot, too short for lab-a's three outdated hosts at the default expected
 * host time), a second person approves it, and two occurrences run by themselves. The first ends `partial`
 * with the hosts it could not start; the second updates exactly those.
 */
export async function run() {
  const d = await startScenario({
    botConfig: {
      roles: { viewer: [], operator: ['aad-oper'], approver: ['aad-appr'], admin: [] },
      cardSecret: 'scenario-card-secret-0123456789abcdef',
      progressMinIntervalMs: 200,
      productionClusters: ['lab-a'],
    },
  });
  try {
    const lab = labOf(d.stack);
    const haBefore = haOf(lab, 'lab-a');
    const created = (await d.say('window create lab-a cron "*/3 * * * *" UTC for 60m policy skip_host')).join(
      '\n',
    );
    const id = /Window `([^`]+)` created/.exec(created)?.[1];
    if (!id) return { ok: false, error: `window not created: ${created.slice(0, 300)}` };
    const approved = (await d.say(`window approve ${id}`, APPROVER)).join('\n');

    const windows = createWindowStore(d.stack.store);
    const ended = async (): Promise<Occurrence[]> =>
      (await windows.listOccurrences(id)).filter((o) => ENDED.includes(o.status));
    const deadline = Date.now() + 12 * 60_000;
    while ((await ended()).length < 2 && Date.now() < deadline) await sleep(1000);
    const [first, second] = await ended();
    const all = await windows.listOccurrences(id);
    // Stop the series before the third slot.
    await d.say(`window cancel ${id}`);

    const updated: string[] = [];
    let noHostStartedAfterEnd = true;
    for (const o of [first, second]) {
      const job = o?.jobId ? await d.stack.store.getJob(o.jobId) : undefined;
      if (!job) continue;
      const w = HostUpdateParams.parse(job.params).window;
      const hosts = await d.stack.store.listJobItems<{ hostId: string; phase: string }>(job.id, 'host');
      updated.push(...hosts.filter((h) => h.data.phase === 'updated').map((h) => h.data.hostId));
      if (!w) continue;
      const needS =
        w.hostSeconds + Math.max(w.marginS ?? GUARD_MARGIN.minS, w.hostSeconds * GUARD_MARGIN.fraction);
      const started = (await d.stack.store.listSteps(job.id)).filter(
        (s: JobStep) => /^host:[^:]+$/.test(s.key) && s.startedAt,
      );
      for (const s of started)
        if (Date.parse(s.startedAt as string) + needS * 1000 > Date.parse(w.end))
          noHostStartedAfterEnd = false;
    }
    const left = first?.hostsLeft ?? [];
    const checks = {
      occurrences: [first, second].filter(Boolean).length,
      first: first?.status,
      second: second?.status,
      hostsUpdatedOnce:
        new Set(updated).size === updated.length &&
        left.length > 0 &&
        [...left].sort().join() === [...(second?.carriedHosts ?? [])].sort().join() &&
        left.every((h) => updated.includes(h)),
      haAsBefore: JSON.stringify(haOf(lab, 'lab-a')) === JSON.stringify(haBefore),
      noHostStartedAfterEnd,
    };
    return {
      ok:
        checks.occurrences === 2 &&
        checks.first === 'partial' &&
        checks.second === 'completed' &&
        checks.hostsUpdatedOnce &&
        checks.haAsBefore &&
        checks.noHostStartedAfterEnd,
      ...checks,
      hostsLeftByFirst: left.length,
      hostsUpdated: updated.length,
      occurrenceLog: all.map(
        (o) => `${o.start.slice(11, 16)} ${o.status}${o.reason ? ` (${o.reason})` : ''}`,
      ),
      approvedBy: /approved by ([^.]+)/.exec(approved)?.[1],
    };
  } finally {
    await d.close();
  }
}
