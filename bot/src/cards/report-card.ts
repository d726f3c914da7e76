import type { AdaptiveCard } from '@microsoft/teams-ai';
import type { JobReport, ReportHost } from '@rackops/core/jobs/job-report.schema';
import type { Job } from '@rackops/core/jobs/job.schema';
import type { JobView } from '@rackops/core/usecases/job-queries';
import { clip } from '@rackops/core/util/clip';
import { formatDrops } from '@rackops/core/inventory/drop-guard';
import { signCardData } from './card-data';
import type { ConfirmPayload } from './confirm-card';
import { type Element, action, card, container, facts, heading, text } from './elements';
import { reportTable } from './host-table';
import { STATUS_ICON, jobLabel } from './job-label';
import {
  DETAILS_ID,
  type RenderOptions,
  jobActions,
  jobFacts,
  jobTitle,
  logLines,
  metaLine,
} from './job-parts';

/** How much a report card shows; the renderer steps down until the card fits. */
export interface ReportBudget {
  hostRows: number;
  /** Detail lines for every host, or only for those that did not simply end as planned. */
  detailsFor: 'all' | 'notable';
  detailMax: number;
  appliedMax: number;
  failureMax: number;
  logLines: number;
}
export const REPORT_BUDGETS: readonly ReportBudget[] = [
  { hostRows: 64, detailsFor: 'all', detailMax: 400, appliedMax: 900, failureMax: 400, logLines: 5 },
  { hostRows: 64, detailsFor: 'all', detailMax: 200, appliedMax: 300, failureMax: 300, logLines: 3 },
  { hostRows: 64, detailsFor: 'notable', detailMax: 200, appliedMax: 120, failureMax: 240, logLines: 0 },
  { hostRows: 32, detailsFor: 'notable', detailMax: 120, appliedMax: 0, failureMax: 160, logLines: 0 },
  { hostRows: 12, detailsFor: 'notable', detailMax: 80, appliedMax: 0, failureMax: 120, logLines: 0 },
];

const COLOR: Record<JobReport['outcome'], string> = {
  completed: 'Good',
  failed: 'Attention',
  cancelled: 'Warning',
};

/** The line read first, the same words as the chat message: "lab-a: 3 hosts updated, …". */
export function summaryLine(job: Job, report: Pick<JobReport, 'outcome' | 'summary' | 'cancelMode'>): string {
  const label = jobLabel(job);
  if (report.outcome === 'failed') return `${label} failed: ${report.summary}`;
  if (report.outcome === 'cancelled')
    return `${label} cancelled${report.cancelMode ? ` (${report.cancelMode})` : ''}: ${report.summary}`;
  return `${label}: ${report.summary}`;
}

/**
 * Facts as a FactSet, except values with a long unbroken token (a path, a digest): a FactSet squeezes its
 * titles to make room for them and breaks them mid-word ("Save d to"), so those are lines of their own.
 */
function factLines(list: JobReport['facts']): Element[] {
  const long = (v: string) => v.split(/\s+/).some((t) => t.length > 28);
  const short = list.filter((f) => !long(f.value));
  const out: Element[] = short.length ? [facts(short.map((f) => [f.title, f.value]))] : [];
  for (const f of list.filter((x) => long(x.value)))
    out.push(text(`**${f.title}:** ${f.value}`, { spacing: 'Small', size: 'Small' }));
  return out;
}

const hostLabel = (h: ReportHost) => (h.name && h.name !== h.hostId ? `${h.name} (${h.hostId})` : h.hostId);

/** What failed, where each host is now, what to do next: first on a failed card, never behind a toggle. */
function failureSection(report: JobReport, budget: ReportBudget): Element[] {
  const bad = report.hosts.filter((h) => h.status === 'failed' || h.status === 'interrupted');
  if (!bad.length && !report.problems.length && !report.next.length) return [];
  const items: Element[] = [];
  if (bad.length || report.problems.length) items.push(text('What failed', { weight: 'Bolder' }));
  for (const h of bad.slice(0, 8)) {
    items.push(
      text(`✖ **${hostLabel(h)}**: ${clip(h.why ?? h.detail.replace(/^FAILED: /, ''), budget.failureMax)}`, {
        spacing: 'Small',
      }),
    );
    if (h.where) items.push(text(`Now: ${clip(h.where, 200)}`, { spacing: 'None', size: 'Small' }));
    if (h.next) items.push(text(`Next: ${clip(h.next, 300)}`, { spacing: 'None', size: 'Small' }));
  }
  if (bad.length > 8)
    items.push(text(`… and ${bad.length - 8} more failed hosts (see the details)`, { size: 'Small' }));
  // Host failures are already listed; the others (preflight, HA, the workflow itself) are said once each.
  for (const p of report.problems.slice(0, 4))
    items.push(text(clip(p, budget.failureMax), { spacing: 'Small' }));
  if (report.next.length) {
    items.push(text('What to do next', { weight: 'Bolder', spacing: 'Medium' }));
    for (const n of report.next) items.push(text(`• ${clip(n, 300)}`, { spacing: 'None', size: 'Small' }));
  }
  return [
    container(items, { style: report.outcome === 'failed' ? 'attention' : 'warning', spacing: 'Medium' }),
  ];
}

/** Ends a clipped text as a sentence: a full stop, unless it already ends in one or in an ellipsis. */
const sentence = (t: string): string => (/[.…]$/.test(t) ? t : `${t}.`);

function hostDetails(report: JobReport, budget: ReportBudget): Element[] {
  const notable = (h: ReportHost) => h.status !== 'updated' && h.status !== 'current';
  const shown = budget.detailsFor === 'all' ? report.hosts : report.hosts.filter(notable);
  const out = shown.map((h) => {
    const applied =
      budget.appliedMax && h.applied.length
        ? ` Applied: ${sentence(clip(h.applied.join(', '), budget.appliedMax))}`
        : '';
    return text(`**${hostLabel(h)}** — ${sentence(clip(h.detail, budget.detailMax))}${applied}`, {
      spacing: 'Small',
      size: 'Small',
    });
  });
  const hidden = report.hosts.length - shown.length;
  if (hidden > 0)
    out.push(text(`${hidden} other host(s) ended as planned.`, { size: 'Small', isSubtle: true }));
  return out;
}

/**
 * A finished job: the summary line first, then what failed (if anything) with where each host is and what
 * to do next, then a row per host (mark, host, result, packages, time); per-host detail, the HA outcome,
 * the job's particulars and its last console lines are behind "Show details".
 */
export function renderReport(
  view: JobView,
  report: JobReport,
  opts: RenderOptions,
  budget = REPORT_BUDGETS[0]!,
): AdaptiveCard {
  const { job } = view;
  const body: Element[] = [
    heading(`${STATUS_ICON[job.status]} ${jobTitle(job)}`),
    metaLine(job),
    ...(opts.notice ? [text(opts.notice, { isSubtle: true })] : []),
    text(summaryLine(job, report), { weight: 'Bolder', color: COLOR[report.outcome], spacing: 'Medium' }),
    ...failureSection(report, budget),
  ];
  body.push(...factLines(report.facts));
  const rows = reportTable(report.hosts);
  body.push(...rows.slice(0, budget.hostRows + 1));
  if (rows.length > budget.hostRows + 1)
    body.push(
      text(`… and ${rows.length - 1 - budget.hostRows} more hosts (see the details)`, {
        isSubtle: true,
        size: 'Small',
      }),
    );
  const details: Element[] = [...hostDetails(report, budget)];
  if (report.ha)
    details.push(
      text(report.ha.text, { size: 'Small', ...(report.ha.restored ? {} : { color: 'Attention' }) }),
    );
  details.push(jobFacts(job));
  if (budget.logLines && view.recentLog.length) {
    details.push(text('Last console lines', { weight: 'Bolder', size: 'Small' }));
    details.push(...logLines(view, view.recentLog.slice(-budget.logLines), 160));
  }
  body.push(container(details, { id: DETAILS_ID, isVisible: false, spacing: 'Medium' }));
  if (report.inventoryDrop) {
    const drop = inventoryDropPart(job, report.inventoryDrop, opts);
    body.push(...drop.body);
    return card(body, [...drop.actions, ...jobActions(job, opts, true)]);
  }
  return card(body, jobActions(job, opts, true));
}

/** How long the accept/keep buttons of a held inventory sync stay valid. */
const DROP_ANSWER_MS = 24 * 3600_000;

/**
 * A held inventory sync asks: did the estate really shrink? *Accept* starts a new sync allowed to mark what is
 * missing gone; *Keep* leaves every stored object as it is (the next sync is held again while the drop lasts).
 */
function inventoryDropPart(
  job: Job,
  drop: NonNullable<JobReport['inventoryDrop']>,
  opts: RenderOptions,
): { body: Element[]; actions: Element[] } {
  const body = [
    text(
      `⚠️ ${drop.source} ${drop.sourceId} reports far fewer objects than at the last good sync (${formatDrops(drop.drops)}). Nothing was marked gone: a broken read looks like this too (an expired session, a changed permission).`,
      { color: 'Warning', spacing: 'Medium' },
    ),
    text('If the estate really shrank, accept: a new sync then marks what is no longer reported gone.', {
      isSubtle: true,
    }),
  ];
  const at = Date.parse(job.completedAt ?? job.updatedAt);
  const payload: ConfirmPayload = {
    cid: opts.cid,
    op: { kind: 'inventory_drop', jobId: job.id, ...drop },
    exp: new Date((Number.isNaN(at) ? 0 : at) + DROP_ANSWER_MS).toISOString(),
    by: 'inventory sync',
  };
  return {
    body,
    actions: [
      action(
        'Accept and mark gone',
        'confirm.run',
        signCardData(opts.key, 'confirm.run', payload),
        'destructive',
      ),
      action(
        'Keep everything',
        'confirm.abort',
        signCardData(opts.key, 'confirm.abort', {
          cid: opts.cid,
          keep: `${drop.source} ${drop.sourceId}`,
        }),
      ),
    ],
  };
}

/**
 * A job that ended without a report (its execution failed before the workflow's finish, a stand-in
 * workflow): its summary or error's first line, the full text behind "Show details".
 */
export function renderEndedWithoutReport(view: JobView, opts: RenderOptions, textMax = 3000): AdaptiveCard {
  const { job } = view;
  const full = job.error ?? job.summary ?? job.status;
  const outcome = job.status === 'failed' ? 'failed' : job.status === 'cancelled' ? 'cancelled' : 'completed';
  const first = clip(full.split('\n')[0] ?? '', 300);
  const body: Element[] = [
    heading(`${STATUS_ICON[job.status]} ${jobTitle(job)}`),
    metaLine(job),
    ...(opts.notice ? [text(opts.notice, { isSubtle: true })] : []),
    text(
      summaryLine(job, {
        outcome,
        summary: first,
        ...(job.cancelRequested ? { cancelMode: job.cancelRequested } : {}),
      }),
      {
        weight: 'Bolder',
        color: COLOR[outcome],
        spacing: 'Medium',
      },
    ),
  ];
  const rest = full.split('\n').slice(1).join('\n');
  const details: Element[] = [];
  if (rest) details.push(text(clip(rest, textMax), { size: 'Small' }));
  details.push(jobFacts(job));
  if (view.recentLog.length) details.push(...logLines(view, view.recentLog.slice(-3), 160));
  body.push(container(details, { id: DETAILS_ID, isVisible: false, spacing: 'Medium' }));
  return card(body, jobActions(job, opts, true));
}
