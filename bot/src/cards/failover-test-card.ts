import type { AdaptiveCard } from '@microsoft/teams-ai';
import type { Job } from '@rackops/core/jobs/job.schema';
import { signCardData } from './card-data';
import { action, card, facts, heading, text } from './elements';
import { type RenderOptions, jobRef, jobTitle, metaLine } from './job-parts';

const STATE_WORD: Record<string, string> = {
  up: '✅ up, VMware Tools heartbeat',
  'no-tools': '⚠️ powered on, no Tools heartbeat in time',
  failed: '❌ failed',
};

/**
 * A test failover that is up at DR: each VM's state and the one decision left, *Clean up* (VMs unregistered,
 * the datastore unmounted, the clone destroyed). The button carries the version it was drawn for: a second
 * click, or a card from before, changes nothing.
 */
export function renderFailoverTestPause(job: Job, opts: RenderOptions): AdaptiveCard {
  const vms = Array.isArray(job.details.vms)
    ? (job.details.vms as { name?: unknown; state?: unknown; error?: unknown }[])
    : [];
  const rows: [string, string][] = vms.map((v) => [
    String(v.name ?? '?'),
    `${STATE_WORD[String(v.state)] ?? String(v.state)}${typeof v.error === 'string' && v.state !== 'up' ? ` — ${v.error.slice(0, 200)}` : ''}`,
  ]);
  const ref = jobRef(job, opts.cid);
  return card(
    [
      heading(`🧪 Test failover up at DR: ${jobTitle(job)}`),
      metaLine(job),
      ...(typeof job.details.clone === 'string'
        ? [
            text(
              `Clone ${job.details.clone} of ${String(job.details.origin ?? '?')}, mounted as ${String(job.details.datastore ?? '?')}; replication goes on.`,
            ),
          ]
        : []),
      ...(opts.notice ? [text(opts.notice, { isSubtle: true })] : []),
      facts(rows),
      text(
        'When the test is done: *Clean up* powers off and unregisters the VMs, unmounts the datastore and destroys the clone.',
      ),
    ],
    [action('Clean up', 'failover.cleanup', signCardData(opts.key, 'failover.cleanup', ref), 'destructive')],
  );
}
