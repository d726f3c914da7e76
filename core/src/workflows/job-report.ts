import type { JobReport, ReportHost } from '../jobs/job-report.schema';
import { formatDuration } from '../util/duration';
import type { Fact } from './command-result';
import { shortWhere } from './host-outcome';
import { clip } from '../util/clip';

export interface ReportInput {
  outcome: JobReport['outcome'];
  cancelMode?: 'graceful' | 'immediate';
  /** Preflight's words when there was nothing to do (or a dry run). */
  nothing?: string;
  /** Failures that are not one host's (state error, preflight failure, HA not restored). */
  problems: string[];
  hosts: ReportHost[];
  ha?: { restored: boolean; text: string };
  durationSeconds?: number;
  /** A single-command job's result. */
  command?: { summary: string; facts: Fact[] };
  /** The command that runs the job again (`update cluster lab-a`), for what to do next. */
  rerun?: string;
  inventoryDrop?: JobReport['inventoryDrop'];
}

const count = (hosts: readonly ReportHost[], s: ReportHost['status']) =>
  hosts.filter((h) => h.status === s).length;
const hostsWord = (n: number) => `${n} host${n === 1 ? '' : 's'}`;
const nameOf = (h: ReportHost) => h.name ?? h.hostId;

/** "3 hosts updated, 1 already current, 2 not started" — only the parts that are not zero. */
function tally(hosts: readonly ReportHost[]): string[] {
  const parts: string[] = [];
  if (hosts.length === 0) return parts;
  const updated = count(hosts, 'updated');
  if (updated || hosts.every((h) => h.status === 'current')) parts.push(`${hostsWord(updated)} updated`);
  const partial = count(hosts, 'partial');
  if (partial) parts.push(`${partial} partly updated`);
  const current = count(hosts, 'current');
  if (current) parts.push(`${current} already current`);
  const skipped = count(hosts, 'skipped');
  if (skipped) parts.push(`${skipped} skipped`);
  const notStarted = count(hosts, 'not_started');
  if (notStarted) parts.push(`${notStarted} not started`);
  const interrupted = count(hosts, 'interrupted');
  if (interrupted) parts.push(`${interrupted} interrupted`);
  return parts;
}

/** What failed, in a few words: the failed hosts and where they are, else the first problem. */
function failureLead(input: ReportInput): string | undefined {
  const failed = input.hosts.filter((h) => h.status === 'failed');
  const only = input.hosts.length === 1 ? failed[0] : undefined;
  if (only) {
    // A one-host job is already named by its target: say why and where the host was left.
    const why = only.why ?? only.detail.replace(/^FAILED:\s*/, '').split(' — now ')[0] ?? only.detail;
    const where = shortWhere(only);
    return `${clip(why, 140)}${where ? `; left ${where}` : ''}`;
  }
  if (failed.length) {
    const names = failed.slice(0, 3).map((h) => {
      const where = shortWhere(h);
      return `${nameOf(h)}${where ? ` (${where})` : ''}`;
    });
    const more = failed.length > 3 ? ` and ${failed.length - 3} more` : '';
    return `${names.join(', ')}${more} failed`;
  }
  const first = input.problems[0];
  return first ? clip(first, 160) : undefined;
}

function jobNext(input: ReportInput): string[] {
  const next: string[] = [];
  if (input.ha && !input.ha.restored) next.push(`Restore HA admission control by hand: ${input.ha.text}`);
  const left = count(input.hosts, 'not_started') + count(input.hosts, 'partial');
  if (input.rerun && left && input.outcome !== 'completed')
    next.push(
      `${input.outcome === 'failed' ? 'Once the failure is dealt with, run' : 'Run'} \`${input.rerun}\` again to update the ${hostsWord(left)} left; hosts already current are left alone.`,
    );
  return next;
}

/**
 * The report of a finished job: a summary line an operator reads first ("3 hosts updated, 1 already current,
 * 41 min, HA restored"), the per-host rows, what failed and what to do next. Pure.
 */
export function buildJobReport(input: ReportInput): JobReport {
  const tail: string[] = [];
  if (input.durationSeconds !== undefined) tail.push(formatDuration(input.durationSeconds));
  if (input.ha) tail.push(input.ha.restored ? 'HA restored' : 'HA NOT restored');
  // A failure leads, set off by a semicolon: "esx-b01 (in maintenance mode) failed; 1 host updated, …".
  const lead = input.outcome === 'failed' ? failureLead(input) : undefined;
  let rest: string[];
  if (input.command) rest = [...(lead ? [] : [input.command.summary]), ...tail];
  else if (input.nothing && input.outcome === 'completed') rest = [input.nothing];
  else rest = [...tally(input.hosts), ...tail];
  const summary = [lead, rest.join(', ')].filter(Boolean).join('; ');
  return {
    outcome: input.outcome,
    summary: clip(summary || input.outcome, 400),
    ...(input.cancelMode && input.outcome === 'cancelled' ? { cancelMode: input.cancelMode } : {}),
    ...(input.durationSeconds !== undefined ? { durationSeconds: input.durationSeconds } : {}),
    ...(input.ha ? { ha: input.ha } : {}),
    problems: input.problems.slice(0, 20).map((p) => clip(p, 1000)),
    next: jobNext(input),
    hosts: input.hosts,
    facts: input.command?.facts.slice(0, 30) ?? [],
    ...(input.inventoryDrop ? { inventoryDrop: input.inventoryDrop } : {}),
  };
}

const OUTCOME_WORD: Record<JobReport['outcome'], string> = {
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** The report as text (the job's summary, the console, scenarios): the summary line, then a line per host. */
export function reportText(r: JobReport): string {
  const head = `${OUTCOME_WORD[r.outcome]}${r.cancelMode ? ` (${r.cancelMode})` : ''}: ${r.summary}`;
  const lines = [
    head,
    ...r.problems,
    r.ha?.text ?? '',
    ...r.facts.map((f) => `${f.title}: ${f.value}`),
    ...r.hosts.map(
      (h) =>
        `${h.name && h.name !== h.hostId ? `${h.name} (${h.hostId})` : h.hostId}: ${h.detail}${h.applied.length ? ` (applied: ${h.applied.join(', ')})` : ''}`,
    ),
  ];
  return lines.filter(Boolean).join('\n');
}
