import type { AdaptiveCard } from '@microsoft/teams-ai';
import type { Job } from '@rackops/core/jobs/job.schema';
import { formatDuration } from '@rackops/core/util/duration';
import { signCardData } from './card-data';
import { type Element, action, card, facts, heading, text } from './elements';
import { type RenderOptions, jobRef, jobTitle, metaLine } from './job-parts';

/** What `failover GROUP` shows before anything runs (the words people need to decide on). */
export interface FailoverPlan {
  group: string;
  mode: 'planned' | 'unplanned';
  reason?: string;
  vms: string[];
  from: string;
  to: string;
  cluster: string;
  hosts: number;
  pool: string;
  network: string;
  snapshot: string;
  replicaAgeS: number;
  production: boolean;
  /** What would refuse it now (a rollout or another failover on those VMs or clusters). */
  conflicts: string[];
  /** The same words with `confirm`, to start it. */
  confirmCommand: string;
}

/** The loss window a person should expect: none after a planned failover's final sync, the replica's age otherwise. */
export const expectedLoss = (p: Pick<FailoverPlan, 'mode' | 'replicaAgeS'>): string =>
  p.mode === 'planned'
    ? '0 s: the VMs are shut down and a final sync runs before the DR copy is promoted'
    : `${formatDuration(p.replicaAgeS)} (every write since the newest replica; more if it ages before the start)`;

export function renderFailoverPlan(p: FailoverPlan): AdaptiveCard {
  const rows: [string, string][] = [
    ['VMs', `${p.vms.length}: ${p.vms.join(', ')}`],
    ['From', p.from],
    ['To', `${p.to} · cluster ${p.cluster} (${p.hosts} host(s)), pool ${p.pool}, network ${p.network}`],
    ['Replica', `${p.snapshot}, ${formatDuration(p.replicaAgeS)} old`],
    ['Expected data loss', expectedLoss(p)],
    ...(p.reason ? ([['Reason', p.reason]] as [string, string][]) : []),
  ];
  const steps =
    p.mode === 'planned'
      ? 'Guest shutdown of the source VMs (power-off after the timeout, named in the report), the source dataset made read-only (writable again on a failure before the promotion or a Roll back), a final incremental sync, the DR dataset promoted, the VMs registered and powered on at DR.'
      : 'No shutdown and no final sync (the source may be gone): the newest replica is promoted and the VMs registered and powered on at DR.';
  return card([
    heading(`${p.mode === 'planned' ? '🛫 Planned' : '🚨 Unplanned'} failover of ${p.group}: the plan`),
    facts(rows),
    text(`${steps} Then it waits for *Commit* or *Roll back*. Nothing at the source is destroyed.`),
    ...(p.production
      ? [
          text(
            'Production group: a second person with the **approver** role approves the job before it runs.',
            {
              color: 'Warning',
            },
          ),
        ]
      : []),
    ...(p.conflicts.length
      ? [
          text(`⛔ Refused while these run: ${p.conflicts.join('; ')}. Nothing has run.`, {
            color: 'Attention',
            weight: 'Bolder',
          }),
        ]
      : [text(`Nothing has run. To start it: \`${p.confirmCommand}\``, { weight: 'Bolder' })]),
  ]);
}

const STATE_WORD: Record<string, string> = {
  up: '✅ up, VMware Tools heartbeat',
  'no-tools': '⚠️ powered on, no Tools heartbeat in time',
  failed: '❌ failed',
  off: '⏹️ powered off, unregistered',
};

function vmRows(job: Job): [string, string][] {
  const vms = Array.isArray(job.details.vms)
    ? (job.details.vms as { name?: unknown; state?: unknown; error?: unknown }[])
    : [];
  return vms.map((v) => [
    String(v.name ?? '?'),
    `${STATE_WORD[String(v.state)] ?? String(v.state ?? '?')}${typeof v.error === 'string' ? ` — ${v.error.slice(0, 200)}` : ''}`,
  ]);
}

function lossLine(job: Job): Element[] {
  const mode = job.params.mode === 'unplanned' ? 'unplanned' : 'planned';
  const loss = typeof job.details.lossWindowS === 'number' ? job.details.lossWindowS : undefined;
  const snap = typeof job.details.snapshot === 'string' ? job.details.snapshot : undefined;
  return [
    facts([
      ['Mode', mode],
      ...(snap ? ([['Promoted replica', snap]] as [string, string][]) : []),
      ...(loss !== undefined ? ([['Data-loss window', formatDuration(loss)]] as [string, string][]) : []),
      ...(typeof job.params.reason === 'string'
        ? ([['Reason', job.params.reason]] as [string, string][])
        : []),
    ]),
  ];
}

/**
 * A failover waiting for a person. At the first pause: *Commit* (reverse replication, the group's direction
 * swapped) or *Roll back* (the DR copies powered off and unregistered). After a roll back, the second
 * confirmation: discard what changed at DR (the original direction resumes), or keep it. Each button carries
 * the version it was drawn for: a second click, or an old card, changes nothing.
 */
export function renderFailoverPause(job: Job, opts: RenderOptions): AdaptiveCard {
  const ref = jobRef(job, opts.cid);
  const decide = (title: string, decision: string, style?: 'positive' | 'destructive') =>
    action(title, 'failover.decide', signCardData(opts.key, 'failover.decide', { ...ref, decision }), style);
  const notice = opts.notice ? [text(opts.notice, { isSubtle: true })] : [];
  if (job.details.pause === 'confirm-rollback')
    return card(
      [
        heading(`⚠️ Discard what changed at DR? ${jobTitle(job)}`),
        metaLine(job),
        ...notice,
        text(
          'Rolled back: the VMs at DR are powered off and unregistered. **Discard** rolls the DR dataset back to the replica it was promoted from (every write made at DR since is lost) and resumes replication in the original direction. **Keep** leaves the DR dataset as it is; replication stays stopped until someone decides.',
        ),
      ],
      [decide('Discard DR changes', 'rollback-confirmed', 'destructive'), decide('Keep DR data', 'keep')],
    );
  return card(
    [
      heading(`🛬 Failover up at DR: ${jobTitle(job)}`),
      metaLine(job),
      ...notice,
      ...lossLine(job),
      facts(vmRows(job)),
      text(
        job.params.mode === 'unplanned'
          ? '*Commit* makes DR the source: the group records the new direction; writes the original may hold that never reached DR are kept in a snapshot there (when it answers) and the group stays paused until someone resumes it. *Roll back* powers off and unregisters the VMs at DR; what changed there is discarded only after a second confirmation.'
          : '*Commit* makes DR the source: the group records the new direction and replicates DR → original site when that appliance is reachable; the original stays read-only, the replica from now on. *Roll back* powers off and unregisters the VMs at DR and makes the original writable again; what changed at DR is discarded only after a second confirmation.',
      ),
    ],
    [decide('Commit', 'commit', 'positive'), decide('Roll back', 'rollback', 'destructive')],
  );
}
