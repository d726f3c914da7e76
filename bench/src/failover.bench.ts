import '@rackops/core/polyfills';
import type { JobStep } from '@rackops/core/jobs/job.schema';
import { APPROVER, GROUP, drLabWith, startDrRun } from '@rackops/local/scenarios/dr-run';
import { printTable, round } from './support/report';

/**
 * `npm run bench -- failover`: the recovery time of a planned failover of 20 VMs on the DR lab at a fixed time
 * scale, through the real local stack and real zfs-fuse: from the job's start (after the second person's
 * approval) to every VM up at DR with a Tools heartbeat (the job pausing for Commit / Roll back). Split into the
 * time some device command was running (the union of the job's step intervals: shutdown, final sync, promote,
 * mount, register, network, power-on, Tools) and the rest, which is orchestration (engine, JobOps, queues).
 * A step runs from its command's dispatch to its result being recorded, so the relay hop of each command counts
 * as device time: "orchestration" is the time when no device command was outstanding at all.
 */
const VMS = 20;
const TIME_SCALE = 1 / 60;

/** Total length of the union of [start, end) intervals, clipped to [from, to]. */
function unionSeconds(intervals: [number, number][], from: number, to: number): number {
  const sorted = intervals
    .map(([a, b]): [number, number] => [Math.max(a, from), Math.min(b, to)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let cur: [number, number] | undefined;
  for (const iv of sorted) {
    if (cur && iv[0] <= cur[1]) cur[1] = Math.max(cur[1], iv[1]);
    else {
      if (cur) total += cur[1] - cur[0];
      cur = [...iv];
    }
  }
  if (cur) total += cur[1] - cur[0];
  return total / 1000;
}

export async function run(): Promise<void> {
  const r = await startDrRun({ lab: drLabWith(VMS), timeScale: TIME_SCALE });
  if ('skipped' in r) {
    console.log(JSON.stringify({ bench: 'failover', skipped: r.skipped }));
    return;
  }
  try {
    await r.d.say(`failover ${GROUP} confirm`);
    const pending = await r.waitNewest('failover', ['pending', 'running', 'paused', 'failed'], 60_000);
    if (pending.requiresApproval && !pending.approvedBy) await r.click('Approve', 'Approve', APPROVER);
    const up = await r.waitNewest('failover', ['paused', 'completed', 'failed'], 900_000);
    const upAt = Date.now();
    if (up.status !== 'paused')
      throw new Error(`the failover did not come up: ${up.status} ${up.error ?? ''}`);
    const started = Date.parse(up.startedAt ?? up.createdAt);
    const steps: JobStep[] = await r.d.stack.store.listSteps(up.id);
    // Steps that took time: a VM's own summary step opens and closes at once and says nothing of waiting.
    const timed = steps.filter(
      (s) => s.startedAt && s.completedAt && Date.parse(s.completedAt) > Date.parse(s.startedAt),
    );
    const iv = (s: JobStep): [number, number] => [
      Date.parse(s.startedAt ?? ''),
      Date.parse(s.completedAt ?? ''),
    ];
    const rto_s = (upAt - started) / 1000;
    const device_s = unionSeconds(timed.map(iv), started, upAt);
    const vmsUp = r.drVms().filter((v) => v.powerState === 'poweredOn').length;
    const byName = new Map<string, { n: number; sum: number; max: number }>();
    for (const s of timed) {
      const [a, b] = iv(s);
      const e = byName.get(s.name) ?? { n: 0, sum: 0, max: 0 };
      byName.set(s.name, { n: e.n + 1, sum: e.sum + (b - a) / 1000, max: Math.max(e.max, (b - a) / 1000) });
    }
    printTable(
      [...byName]
        .sort((a, b) => b[1].sum - a[1].sum)
        .map(([step, e]) => ({
          step,
          count: e.n,
          mean_s: round(e.sum / e.n, 2),
          max_s: round(e.max, 2),
          wall_s: round(unionSeconds(timed.filter((s) => s.name === step).map(iv), started, upAt), 2),
        })),
    );
    console.log('');
    printTable([
      {
        vms: VMS,
        vms_up: vmsUp,
        time_scale: `1/${Math.round(1 / TIME_SCALE)}`,
        rto_s: round(rto_s, 1),
        device_s: round(device_s, 1),
        orchestration_s: round(rto_s - device_s, 1),
      },
    ]);
    console.log(
      JSON.stringify({
        bench: 'failover',
        workflow: 'failover',
        mode: 'planned',
        vms: VMS,
        vms_up: vmsUp,
        time_scale: round(TIME_SCALE, 5),
        rto_s: round(rto_s, 1),
        device_wait_s: round(device_s, 1),
        orchestration_s: round(rto_s - device_s, 1),
        device_share: round(device_s / rto_s, 2),
        orchestration_share: round(1 - device_s / rto_s, 2),
      }),
    );
  } finally {
    await r.close();
  }
}
