import { startScenario } from './driver';
import { isDone, labOf, READS, relayCommands, sleep } from './lab-facts';

/**
 * Runbook: an operator schedules a rolling update of lab-b 5 seconds ahead. Before it starts, someone else
 * brings every lab-b host to the catalog's firmware. The job starts on time and reads the state then: it finds
 * nothing to do and completes at preflight. (Had it trusted the state at scheduling time, it would update.)
 */
export async function run() {
  const d = await startScenario();
  try {
    const lab = labOf(d.stack);
    const at = new Date(Date.now() + 5000);
    at.setMilliseconds(0);
    const reply = await d.say(`update cluster lab-b at ${at.toISOString().replace('.000Z', 'Z')}`);
    const pending = await d.waitForJob('rolling_cluster_update', () => true, 10_000);
    const pendingAtFirst = pending.status === 'pending';
    // After scheduling, before the start: lab-b is updated by other means.
    for (const tag of lab.world.cluster('lab-b').hostIds) {
      const host = lab.world.host(tag);
      for (const pkg of lab.world.latestFirmware())
        for (const fqdd of pkg.fqdds) {
          const fw = host.firmware.get(fqdd);
          if (fw) fw.version = pkg.version;
        }
    }
    await sleep(100);
    const job = await d.waitForJob('rolling_cluster_update', isDone, 120_000);
    const startLag_s = (Date.parse(job.startedAt ?? '') - Date.parse(job.scheduleAt)) / 1000;
    const cmds = await relayCommands(d.stack.store, job.id);
    const checks = {
      scheduledPending: pendingAtFirst,
      startedOnTime: startLag_s >= 0 && startLag_s < 3,
      readStateAtStart: job.status === 'completed' && /nothing to update/.test(job.summary ?? ''),
      noHostTouched: cmds.every((c) => READS.has(c.kind ?? '')),
    };
    return {
      ok: Object.values(checks).every(Boolean),
      ...checks,
      scheduleAt: job.scheduleAt,
      startedAt: job.startedAt,
      start_lag_s: startLag_s,
      botReply: reply[0]?.slice(0, 160),
    };
  } finally {
    await d.close();
  }
}
