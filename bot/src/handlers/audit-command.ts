import type { AuditEvent } from '@rackops/core/jobs/job.schema';
import { type AuditQuery, queryAudit } from '@rackops/core/usecases/audit-queries';
import { ValidationError } from '@rackops/core/util/errors';
import type { Turn } from '../runtime';
import { say } from './reply';

const SHOWN = 20;
const DEFAULT_SPAN_MS = 7 * 86_400_000;

/** `7d`, `12h`, `90m`, `2026-12-01`, or an ISO time, against `now`. */
export function parseAuditTime(raw: string, now: Date): Date {
  const span = /^(\d{1,4})([mhd])$/i.exec(raw);
  if (span) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[span[2]!.toLowerCase() as 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(span[1]) * unit);
  }
  const t = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : Date.parse(raw);
  if (!Number.isFinite(t) || !/^\d{4}-\d{2}-\d{2}/.test(raw))
    throw new ValidationError(
      `"${raw}" is not a time: use a span back from now (\`12h\`, \`7d\`) or a date (\`2026-12-01\`).`,
    );
  return new Date(t);
}

const line = (e: AuditEvent): string => {
  const who = e.actor.name ?? e.actor.id;
  const what = [
    e.jobId ? `job ${e.jobId}` : undefined,
    e.target,
    e.from && e.to ? `${e.from} → ${e.to}` : undefined,
    typeof e.detail?.outcome === 'string' ? e.detail.outcome : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return `- ${e.at.slice(0, 16).replace('T', ' ')} UTC · **${who}** · ${e.action}${what ? ` · ${what}` : ''}`;
};

/** `audit …`: the events, newest first, 20 at a time; the last line is the command for the older ones. */
export async function audit(
  turn: Turn,
  scope: Pick<AuditQuery, 'job' | 'person' | 'cluster'>,
  args: { since?: string | undefined; before?: string | undefined },
): Promise<string> {
  const now = turn.rt.clock.now();
  const since = args.since ? parseAuditTime(args.since, now) : new Date(now.getTime() - DEFAULT_SPAN_MS);
  const before = args.before ? parseAuditTime(args.before, now) : undefined;
  const page = await queryAudit(
    turn.rt.store,
    { ...scope, since, ...(before ? { before } : {}), limit: SHOWN },
    now,
  );
  const range = `since ${since.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  if (!page.events.length) {
    await say(turn, `No audit events for ${page.scope} ${range}.`);
    return 'empty';
  }
  const base = scope.job
    ? `audit job ${scope.job}`
    : scope.person
      ? `audit person "${scope.person}"`
      : scope.cluster
        ? `audit cluster ${scope.cluster}`
        : 'audit';
  await say(
    turn,
    [
      `**Audit** — ${page.scope}, ${range}, newest first`,
      ...page.events.map(line),
      ...(page.olderBefore
        ? [
            `Older: \`${base} since ${args.since ?? since.toISOString().slice(0, 10)} before ${page.olderBefore}\``,
          ]
        : []),
    ].join('\n'),
  );
  return 'ok';
}
