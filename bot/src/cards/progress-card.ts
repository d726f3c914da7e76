import type { AdaptiveCard } from '@microsoft/teams-ai';
import type { JobView } from '@rackops/core/usecases/job-queries';
import { type Element, card, container, heading, text } from './elements';
import { progressTable } from './host-table';
import { STATUS_ICON } from './job-label';
import {
  DETAILS_ID,
  type RenderOptions,
  jobActions,
  jobFacts,
  jobTitle,
  latestSteps,
  logLines,
  metaLine,
  stepLines,
} from './job-parts';
import { firmwareProgress, phaseTrail, progressLine } from './job-progress';

const FIRMWARE_JOBS = new Set(['rolling_cluster_update', 'firmware_update']);

/** How much a progress card shows; the renderer steps down until the card fits. */
export interface ProgressBudget {
  hostRows: number;
  steps: number;
  logLines: number;
  lineMax: number;
}
export const PROGRESS_BUDGETS: readonly ProgressBudget[] = [
  { hostRows: 64, steps: 12, logLines: 5, lineMax: 160 },
  { hostRows: 40, steps: 6, logLines: 3, lineMax: 120 },
  { hostRows: 24, steps: 3, logLines: 2, lineMax: 80 },
  { hostRows: 12, steps: 0, logLines: 0, lineMax: 60 },
];

/**
 * A job on its way: where it is against a plan known from the start (phase of five, hosts done of hosts
 * planned — never "steps seen so far"), a row per host with what it is doing now, the latest console lines
 * (each naming its host), and the job's particulars and latest steps behind "Show details".
 */
export function renderProgress(
  view: JobView,
  opts: RenderOptions,
  budget = PROGRESS_BUDGETS[0]!,
): AdaptiveCard {
  const { job, steps } = view;
  const body: Element[] = [heading(`${STATUS_ICON[job.status]} ${jobTitle(job)}`), metaLine(job)];
  if (opts.notice) body.push(text(opts.notice, { isSubtle: true }));
  if (job.status === 'pending') {
    const later =
      job.scheduleAt > job.createdAt ? ` at ${job.scheduleAt.replace('T', ' ').slice(0, 16)} UTC` : '';
    body.push(text(`Waiting to start${later}`, { weight: 'Bolder', spacing: 'Medium' }));
  } else if (FIRMWARE_JOBS.has(job.type)) {
    const p = firmwareProgress(view);
    body.push(text(progressLine(p), { weight: 'Bolder', spacing: 'Medium' }));
    body.push(text(phaseTrail(p), { isSubtle: true, size: 'Small', spacing: 'None' }));
  } else if (steps.length) {
    const running = steps.find((s) => s.status === 'running');
    body.push(
      text(running ? `Running: ${running.name}` : `${job.status}`, { weight: 'Bolder', spacing: 'Medium' }),
    );
  }
  if (job.pausedReason) body.push(text(`Paused: ${job.pausedReason}`, { color: 'Warning' }));
  const rows = progressTable(view.hosts, steps);
  body.push(...rows.slice(0, budget.hostRows + 1));
  if (rows.length > budget.hostRows + 1)
    body.push(
      text(`… and ${rows.length - 1 - budget.hostRows} more hosts`, { isSubtle: true, size: 'Small' }),
    );
  if (!FIRMWARE_JOBS.has(job.type) && steps.length)
    body.push(...stepLines(view, latestSteps(steps, Math.max(budget.steps, 3)), budget.lineMax));
  if (budget.logLines && view.recentLog.length) {
    body.push(text('Latest', { weight: 'Bolder', size: 'Small', spacing: 'Medium' }));
    body.push(...logLines(view, view.recentLog.slice(-budget.logLines), budget.lineMax));
  }
  const details: Element[] = [jobFacts(job)];
  if (FIRMWARE_JOBS.has(job.type) && budget.steps && steps.length) {
    details.push(text('Latest steps', { weight: 'Bolder', size: 'Small' }));
    details.push(...stepLines(view, latestSteps(steps, budget.steps), budget.lineMax));
  }
  body.push(container(details, { id: DETAILS_ID, isVisible: false }));
  return card(body, jobActions(job, opts, true));
}
