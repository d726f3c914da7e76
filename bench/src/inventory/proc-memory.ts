import { readFileSync } from 'node:fs';

/** Resident set (VmRSS) and its peak so far (VmHWM) of process `pid`, in KiB, from /proc (Linux); 0 elsewhere. */
export function procMemoryKiB(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** Samples the resident set of each named process every `everyMs` while running; `stop()` gives each peak in MiB. */
export function rssSampler(pids: Record<string, number>, everyMs = 25): { stop(): Record<string, number> } {
  const peak: Record<string, number> = Object.fromEntries(Object.keys(pids).map((k) => [k, 0]));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids))
      peak[name] = Math.max(peak[name] ?? 0, procMemoryKiB(pid).rss);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return Object.fromEntries(Object.entries(peak).map(([k, v]) => [k, Math.round((v / 1024) * 10) / 10]));
    },
  };
}
