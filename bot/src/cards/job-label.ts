import type { Job } from '@rackops/core/jobs/job.schema';

/** The job's target as people call it: the cluster's or host's name, else its id. */
export function jobLabel(job: Job): string {
  const label = job.params.clusterName ?? job.params.hostName;
  return typeof label === 'string' && label ? label : job.target.id;
}

export const STATUS_ICON: Record<Job['status'], string> = {
  pending: '⏳',
  running: '🔄',
  paused: '⏸️',
  completed: '✅',
  failed: '❌',
  cancelled: '🚫',
};

/** Times on cards: "15:50 UTC" — a card is read the same day; the full time is in the details. */
export const clockTime = (iso: string | undefined): string => (iso ? `${iso.slice(11, 16)} UTC` : '');
