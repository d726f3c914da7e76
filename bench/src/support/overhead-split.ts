import type { JobStep } from '@rackops/core/jobs/job.schema';
import type { RelayCommandRecord } from '@rackops/core/relay/relay-command-record';
import { stepOrder } from '@rackops/core/workflows/ops/progress';

/**
 * Where a host's overhead goes, from the same records (one clock: every process runs on this machine): its
 * step's start to its first command's dispatch (host-begin), each command's dispatch to the agent starting it
 * (sentAt → completedAt − durationMs: dispatch bookkeeping, the queue, the agent's receive), each result to the
 * next command's dispatch (result handling, engine, the next dispatch), and the last result to the host's step
 * completed (host-done). Means over hosts, in ms.
 */
export function overheadSplit(steps: JobStep[], cmds: RelayCommandRecord[]) {
  const begin: number[] = [];
  // The first wave's hosts begin beside the start of every in-service update: their begin apart from the rest.
  const beginFirst: number[] = [];
  const beginLater: number[] = [];
  const pickup: number[] = [];
  const handoff: number[] = [];
  const done: number[] = [];
  let commands = 0;
  for (const st of steps) {
    if (!/^host:[^:]+$/.test(st.key) || st.status !== 'completed' || !st.startedAt || !st.completedAt)
      continue;
    const from = Date.parse(st.startedAt);
    const to = Date.parse(st.completedAt);
    const mine = cmds
      .filter(
        (c) =>
          c.target?.id === st.hostId &&
          c.sentAt &&
          c.completedAt &&
          c.durationMs !== undefined &&
          Date.parse(c.sentAt) >= from &&
          Date.parse(c.completedAt) <= to,
      )
      .sort((a, b) => Date.parse(a.sentAt!) - Date.parse(b.sentAt!));
    if (mine.length === 0) continue;
    commands = mine.length;
    begin.push(Date.parse(mine[0]!.sentAt!) - from);
    mine.forEach((c, i) => {
      pickup.push(Date.parse(c.completedAt!) - c.durationMs! - Date.parse(c.sentAt!));
      if (i > 0) handoff.push(Date.parse(c.sentAt!) - Date.parse(mine[i - 1]!.completedAt!));
    });
    done.push(to - Date.parse(mine.at(-1)!.completedAt!));
    // The step's order says its wave (stepOrder): the first wave's host steps have wave 0's.
    (st.order === stepOrder(st.key, 0) ? beginFirst : beginLater).push(begin.at(-1)!);
  }
  const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
  return {
    begin_ms: mean(begin),
    begin_first_wave_ms: mean(beginFirst),
    begin_later_waves_ms: mean(beginLater),
    pickup_ms: mean(pickup),
    handoff_ms: mean(handoff),
    done_ms: mean(done),
    commands,
  };
}
