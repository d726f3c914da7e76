import { readFileSync } from 'node:fs';

/**
 * CPU time (user + system, ms) process `pid` has used so far, from /proc/<pid>/stat; undefined where there is no
 * /proc. Clock ticks are 10 ms (USER_HZ 100), fine over a phase of a second or more.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) " the fields start at the state (field 3): utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}
