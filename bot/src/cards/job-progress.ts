import type { JobStep } from '@rackops/core/jobs/job.schema';
import type { JobHostView, JobView } from '@rackops/core/usecases/job-queries';
import { hostStepKey } from '@rackops/core/jobs/job-step';

/** The phases of a firmware job, in order. Known from the start, so progress never counts steps seen so far. */
export const PHASES = ['Preflight', 'Prepare', 'Stage firmware', 'Update hosts', 'Clean up'] as const;

/** Where the workflow says it is (`details.phase`), as a phase index. */
const PHASE_OF: Record<string, number> = {
  preflight: 0,
  planned: 1,
  blockers: 1,
  paused: 1,
  staging: 2,
  updating: 3,
};

export interface FirmwareProgress {
  /** Index into PHASES. */
  phase: number;
  /** Hosts the plan updates (undefined until the preflight has planned). */
  planned?: number;
  done: number;
  inProgress: number;
  current: number;
  /** Preflight: hosts read so far, of all. */
  checked: number;
  total: number;
}

const FINISHED = new Set(['updated', 'failed', 'not_started']);
const isPlanned = (h: JobHostView) => h.packages > 0 && h.phase !== 'no_update' && h.phase !== 'skipped';

/** Progress of a firmware job against its plan: phase of five, hosts done of hosts planned. Pure. */
export function firmwareProgress(view: JobView): FirmwareProgress {
  const { job, steps, hosts } = view;
  const stepOf = (key: string) => steps.find((s) => s.key === key);
  let phase = PHASE_OF[String(job.details.phase ?? 'preflight')] ?? 0;
  if (
    stepOf('stage')?.status === 'completed' ||
    hosts.some((h) => h.phase === 'in_progress' || FINISHED.has(h.phase))
  )
    phase = Math.max(phase, 3);
  if (stepOf('cleanup')) phase = 4;
  const planned = hosts.filter(isPlanned);
  const preflightDone = stepOf('preflight')?.status === 'completed';
  return {
    phase,
    ...(preflightDone || planned.length ? { planned: planned.length } : {}),
    done: planned.filter((h) => FINISHED.has(h.phase)).length,
    inProgress: planned.filter((h) => h.phase === 'in_progress').length,
    current: hosts.filter((h) => h.phase === 'no_update').length,
    checked: steps.filter(
      (s) => s.key.endsWith(':preflight') && s.status !== 'running' && s.status !== 'pending',
    ).length,
    total: hosts.length,
  };
}

/** The progress line: "Update hosts — 2 of 3 hosts done, 1 in progress, 1 already current". */
export function progressLine(p: FirmwareProgress): string {
  const name = PHASES[p.phase] ?? PHASES[0];
  if (p.planned === undefined) return `${name} — ${p.checked} of ${p.total} hosts checked`;
  if (p.planned === 0) return `${name} — nothing to update`;
  const parts = [`${p.done} of ${p.planned} host${p.planned === 1 ? '' : 's'} done`];
  if (p.inProgress) parts.push(`${p.inProgress} in progress`);
  if (p.current) parts.push(`${p.current} already current`);
  return `${name} — ${parts.join(', ')}`;
}

/** "Phase 4 of 5: ✔ Preflight · ✔ Prepare · ✔ Stage firmware · ▶ Update hosts · Clean up". */
export function phaseTrail(p: FirmwareProgress): string {
  const trail = PHASES.map((name, i) => (i < p.phase ? `✔ ${name}` : i === p.phase ? `▶ ${name}` : name));
  return `Phase ${p.phase + 1} of ${PHASES.length}: ${trail.join(' · ')}`;
}

/** The step a host is at now (running), else its latest one. */
export function hostActivity(hostId: string, steps: readonly JobStep[]): JobStep | undefined {
  const mine = steps.filter((s) => s.hostId === hostId && s.key !== hostStepKey(hostId));
  const latest = (list: JobStep[]) =>
    list.reduce<JobStep | undefined>(
      (a, s) => (!a || (s.startedAt ?? s.updatedAt) >= (a.startedAt ?? a.updatedAt) ? s : a),
      undefined,
    );
  return latest(mine.filter((s) => s.status === 'running')) ?? latest(mine);
}
