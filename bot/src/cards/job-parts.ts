import type { Job, JobStep, LogLine } from '@rackops/core/jobs/job.schema';
import type { JobView } from '@rackops/core/usecases/job-queries';
import { type CardKey, signCardData } from './card-data';
import { clip } from '@rackops/core/util/clip';
import { type Element, action, facts, text, toggle } from './elements';
import { hostName } from './host-table';
import { clockTime, jobLabel } from './job-label';
import type { WizardDraft } from './wizard-draft';

export interface RenderOptions {
  /** Signs the card's actions for the conversation it is shown in. */
  key: CardKey;
  /** Id of the chat message this card lives in (see the card registry). */
  cid: string;
  maxBytes: number;
  page?: number;
  draft?: WizardDraft;
  /** A line shown at the top (e.g. "Approved by Bob"). */
  notice?: string;
}

const TYPE_TITLE: Record<Job['type'], string> = {
  rolling_cluster_update: 'Rolling firmware update',
  firmware_update: 'Firmware update',
  power_operation: 'Power operation',
  virtual_media_mount: 'Mount virtual media',
  virtual_media_unmount: 'Eject virtual media',
  scp_export: 'SCP export',
  scp_backups: 'SCP backups',
  scp_diff: 'SCP diff',
  scp_restore: 'SCP restore',
  inventory_sync: 'Inventory sync',
  replication_sync: 'Replication',
  failover_test: 'Test failover',
  failover: 'Failover',
};

export function jobTitle(job: Job): string {
  const label = jobLabel(job);
  const name = label !== job.target.id ? `${label} (${job.target.id})` : job.target.id;
  return `${TYPE_TITLE[job.type]} · ${job.target.kind} ${name}`;
}
export const who = (a: { id: string; name?: string | undefined }): string => a.name ?? a.id;

/** Card data common to every action on a job card. */
export function jobRef(job: Job, cid: string): Record<string, unknown> {
  return { jobId: job.id, v: job.version, cid };
}

/** One subtle line under the title: the job id (what `cancel`/`job` take), who asked, when. */
export function metaLine(job: Job): Element {
  const when = job.startedAt
    ? `${clockTime(job.startedAt).replace(' UTC', '')}${job.completedAt ? `–${clockTime(job.completedAt)}` : ' UTC'}`
    : job.scheduleAt > job.createdAt
      ? `scheduled ${job.scheduleAt}`
      : '';
  return text(`Job ${job.id} · requested by ${who(job.createdBy)}${when ? ` · ${when}` : ''}`, {
    isSubtle: true,
    size: 'Small',
    spacing: 'None',
  });
}

/** Everything about the job itself, for the details. */
export function jobFacts(job: Job): Element {
  const pairs: [string, string][] = [
    ['Job', job.id],
    ['Status', `${job.status}${job.cancelRequested ? ` (cancel ${job.cancelRequested} requested)` : ''}`],
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
  if (params) pairs.push(['Options', clip(params, 200)]);
  return facts(pairs);
}

const names = (view: JobView): Map<string, string> => new Map(view.hosts.map((h) => [h.hostId, hostName(h)]));

/** Console lines, each naming its host, cut at a word boundary (and wrapped) rather than mid-word. */
export function logLines(view: JobView, lines: readonly LogLine[], max = 160): Element[] {
  const byId = names(view);
  return lines.map((l) =>
    text(
      `${l.at.slice(11, 19)} ${l.hostId ? `${byId.get(l.hostId) ?? l.hostId} · ` : ''}${clip(l.message, max)}`,
      {
        isSubtle: true,
        spacing: 'None',
        fontType: 'Monospace',
        size: 'Small',
        ...(l.level === 'error' ? { color: 'Attention', isSubtle: false } : {}),
      },
    ),
  );
}

const STEP_ICON: Record<JobStep['status'], string> = {
  pending: '·',
  running: '▶',
  completed: '✔',
  failed: '✖',
  skipped: '↷',
};

/** Steps as lines; a step about one host names it ("esx-a01 · Enter maintenance mode"). */
export function stepLines(view: JobView, steps: readonly JobStep[], messageMax = 160): Element[] {
  const byId = names(view);
  return steps.map((s) => {
    const host =
      s.hostId && !s.name.includes(byId.get(s.hostId) ?? s.hostId)
        ? `${byId.get(s.hostId) ?? s.hostId} · `
        : '';
    return text(
      `${STEP_ICON[s.status]} ${host}${s.name}${s.message ? ` — ${clip(s.message, messageMax)}` : ''}`,
      {
        spacing: 'None',
        ...(s.status === 'failed' ? { color: 'Attention' } : {}),
      },
    );
  });
}

/** The most recently changed steps, oldest first. */
export const latestSteps = (steps: readonly JobStep[], n: number): JobStep[] =>
  [...steps].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt)).slice(-n);

export const DETAILS_ID = 'details';

/** Buttons under a job card: details (in place), refresh, and the cancels while it can be cancelled. */
export function jobActions(job: Job, opts: RenderOptions, withDetails: boolean): Element[] {
  const ref = jobRef(job, opts.cid);
  const out: Element[] = [];
  if (withDetails) out.push(toggle('Show details', [DETAILS_ID]));
  out.push(action('Refresh', 'job.refresh', signCardData(opts.key, 'job.refresh', ref)));
  if (job.status === 'running' || job.status === 'paused' || job.status === 'pending') {
    out.push(
      action(
        'Cancel (graceful)',
        'job.cancel',
        signCardData(opts.key, 'job.cancel', { ...ref, mode: 'graceful' }),
      ),
      action(
        'Cancel now',
        'job.cancel',
        signCardData(opts.key, 'job.cancel', { ...ref, mode: 'immediate' }),
        'destructive',
      ),
    );
  }
  return out;
}
