import type { AdaptiveCard } from '@microsoft/teams-ai';
import type { Job, JobStep } from '@rackops/core/jobs/job.schema';
import type { JobView } from '@rackops/core/usecases/job-queries';
import { signCardData } from './card-data';
import { type Element, action, card, facts, heading, text } from './elements';
import { renderWizard } from './wizard-card';
import type { WizardDraft } from './wizard-draft';

export interface RenderOptions {
  secret: string;
  /** Id of the chat message this card lives in (see the card registry). */
  cid: string;
  maxBytes: number;
  page?: number;
  draft?: WizardDraft;
  /** A line shown at the top (e.g. "Approved by Bob"). */
  notice?: string;
}

const STATUS_ICON: Record<Job['status'], string> = {
  pending: '⏳',
  running: '🔄',
  paused: '⏸️',
  completed: '✅',
  failed: '❌',
  cancelled: '🚫',
};

const TYPE_TITLE: Record<Job['type'], string> = {
  rolling_cluster_update: 'Rolling firmware update',
  firmware_update: 'Firmware update',
  power_operation: 'Power operation',
  virtual_media_mount: 'Mount virtual media',
  virtual_media_unmount: 'Eject virtual media',
  scp_export: 'SCP export',
  inventory_sync: 'Inventory sync',
  replication_sync: 'Replication',
  failover: 'Failover',
};

export function jobTitle(job: Job): string {
  const label = job.params.clusterName ?? job.params.hostName;
  const name =
    typeof label === 'string' && label !== job.target.id ? `${label} (${job.target.id})` : job.target.id;
  return `${TYPE_TITLE[job.type]} · ${job.target.kind} ${name}`;
}
const who = (a: { id: string; name?: string | undefined }): string => a.name ?? a.id;

/** Card data common to every action on a job card. */
export function jobRef(job: Job, cid: string): Record<string, unknown> {
  return { jobId: job.id, v: job.version, cid };
}

/** The one card a job has in a conversation, rendered from the Store: approval, blocker wizard, or progress. */
export function renderJobCard(view: JobView, opts: RenderOptions): AdaptiveCard {
  const { job } = view;
  if (job.status === 'pending' && job.requiresApproval && !job.approvedBy) return renderApproval(job, opts);
  if (job.status === 'paused' && job.pauseKind === 'blockers' && view.blockers.length)
    return renderWizard(view, opts);
  return renderProgress(view, opts);
}

function summaryFacts(job: Job): Element {
  const pairs: [string, string][] = [
    ['Job', job.id],
    [
      'Status',
      `${STATUS_ICON[job.status]} ${job.status}${job.cancelRequested ? ` (cancel ${job.cancelRequested} requested)` : ''}`,
    ],
    ['Requested by', who(job.createdBy)],
  ];
  if (job.approvedBy) pairs.push(['Approved by', who(job.approvedBy)]);
  if (job.scheduleAt > job.createdAt) pairs.push(['Scheduled', job.scheduleAt]);
  if (job.startedAt) pairs.push(['Started', job.startedAt]);
  if (job.completedAt) pairs.push(['Finished', job.completedAt]);
  const params = Object.entries(job.params)
    .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  if (params) pairs.push(['Options', params.slice(0, 200)]);
  return facts(pairs);
}

function renderApproval(job: Job, opts: RenderOptions): AdaptiveCard {
  const ref = jobRef(job, opts.cid);
  return card(
    [
      heading(`🔐 Approval needed: ${jobTitle(job)}`),
      text(
        `${job.target.id} is a production target. A second person with the **approver** role must approve before the job starts.`,
      ),
      ...(opts.notice ? [text(opts.notice, { isSubtle: true })] : []),
      summaryFacts(job),
      { type: 'Input.Text', id: 'in_comment', placeholder: 'Comment (optional)', maxLength: 300 },
    ],
    [
      action('Approve', 'job.approve', signCardData(opts.secret, 'job.approve', ref), 'positive'),
      action('Reject', 'job.reject', signCardData(opts.secret, 'job.reject', ref), 'destructive'),
    ],
  );
}

const STEP_ICON: Record<JobStep['status'], string> = {
  pending: '·',
  running: '▶',
  completed: '✔',
  failed: '✖',
  skipped: '↷',
};

/** Steps shown on a progress card; the rest are summarised so the card stays small however long the job. */
const MAX_STEPS = 12;

export function renderProgress(view: JobView, opts: RenderOptions): AdaptiveCard {
  const { job, steps } = view;
  const done = steps.filter((s) => s.status === 'completed' || s.status === 'skipped').length;
  const shown = steps.slice(-MAX_STEPS);
  const body: Element[] = [
    heading(`${STATUS_ICON[job.status]} ${jobTitle(job)}`),
    ...(opts.notice ? [text(opts.notice, { isSubtle: true })] : []),
    summaryFacts(job),
  ];
  if (job.pausedReason) body.push(text(`Paused: ${job.pausedReason}`, { color: 'Warning' }));
  if (steps.length) {
    body.push(text(`Progress: ${done}/${steps.length} steps`, { weight: 'Bolder' }));
    if (steps.length > shown.length)
      body.push(text(`… ${steps.length - shown.length} earlier steps`, { isSubtle: true }));
    body.push(
      ...shown.map((s) =>
        text(`${STEP_ICON[s.status]} ${s.name}${s.message ? ` — ${s.message.slice(0, 160)}` : ''}`, {
          spacing: 'None',
          ...(s.status === 'failed' ? { color: 'Attention' } : {}),
        }),
      ),
    );
  }
  if (view.recentLog.length) {
    body.push(text('Recent log', { weight: 'Bolder' }));
    body.push(
      ...view.recentLog.map((l) =>
        text(`${l.at.slice(11, 19)} ${l.message.slice(0, 200)}`, {
          isSubtle: true,
          spacing: 'None',
          fontType: 'Monospace',
          size: 'Small',
        }),
      ),
    );
  }
  if (job.summary) body.push(text(job.summary, { color: job.status === 'completed' ? 'Good' : 'Default' }));
  if (job.error) body.push(text(`Error: ${job.error.slice(0, 1000)}`, { color: 'Attention' }));
  const ref = jobRef(job, opts.cid);
  const actions: Element[] = [
    action('Refresh', 'job.refresh', signCardData(opts.secret, 'job.refresh', ref)),
  ];
  if (job.status === 'running' || job.status === 'paused' || job.status === 'pending') {
    actions.push(
      action(
        'Cancel (graceful)',
        'job.cancel',
        signCardData(opts.secret, 'job.cancel', { ...ref, mode: 'graceful' }),
      ),
      action(
        'Cancel now',
        'job.cancel',
        signCardData(opts.secret, 'job.cancel', { ...ref, mode: 'immediate' }),
        'destructive',
      ),
    );
  }
  return card(body, actions);
}
