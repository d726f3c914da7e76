import { FailoverDecision } from '@rackops/core/failover/failover.schema';
import { decideFailover } from '@rackops/core/usecases/failover';
import { cleanUpTestFailover } from '@rackops/core/usecases/failover-test';
import { z } from 'zod';
import { hasRole, refusal } from '../rbac';
import type { Turn } from '../runtime';
import type { CardResult } from './card-actions';

const JobRefP = z.object({
  jobId: z.string().min(1).max(64),
  v: z.number().int().nonnegative(),
  cid: z.string().min(1).max(64),
});
const DecideP = JobRefP.extend({ decision: FailoverDecision });

const who = (turn: Turn): string => turn.actor.name ?? turn.actor.id;

const DONE: Record<FailoverDecision, { outcome: string; words: string; icon: string }> = {
  commit: { outcome: 'committing', words: 'Commit', icon: '✅' },
  rollback: { outcome: 'rolling_back', words: 'Roll back', icon: '↩️' },
  'rollback-confirmed': { outcome: 'discarding', words: 'Discard of the DR changes', icon: '🗑️' },
  keep: { outcome: 'kept', words: 'Keep (DR data left as it is)', icon: '📦' },
};

/**
 * The DR card verbs: *Clean up* on a test failover, and a failover's decisions (Commit, Roll back, then the
 * roll back's second confirmation). Called by handleCardAction once the data verified and the verb's role,
 * binding and identity checks passed; an unplanned failover's decisions need **admin**, as starting it did.
 * `card` renders the job's card as it is now.
 */
export async function failoverCardAction(
  turn: Turn,
  verb: 'failover.cleanup' | 'failover.decide',
  p: Record<string, unknown>,
  card: (jobId: string, cid: string, notice?: string) => Promise<CardResult['card']>,
): Promise<CardResult> {
  if (verb === 'failover.cleanup') {
    const ref = JobRefP.parse(p);
    await cleanUpTestFailover(turn.rt.usecases, {
      jobId: ref.jobId,
      actor: turn.actor,
      expectedVersion: ref.v,
    });
    const notice = `Clean up started by ${who(turn)}.`;
    return {
      followUp: true,
      outcome: 'cleaning_up',
      card: await card(ref.jobId, ref.cid, notice),
      cid: ref.cid,
      jobId: ref.jobId,
      message: `🧹 ${notice}`,
    };
  }
  const parsed = DecideP.safeParse(p);
  if (!parsed.success)
    return { outcome: 'invalid', message: '⛔ That decision is not valid. Nothing was changed.' };
  const ref = parsed.data;
  const job = await turn.rt.store.getJob(ref.jobId);
  if (job?.params.mode === 'unplanned' && !hasRole(turn.role, 'admin'))
    return {
      outcome: 'refused',
      message: refusal('admin', turn.role, 'a decision on an unplanned failover'),
      jobId: ref.jobId,
    };
  await decideFailover(turn.rt.usecases, {
    jobId: ref.jobId,
    actor: turn.actor,
    decision: ref.decision,
    expectedVersion: ref.v,
  });
  const d = DONE[ref.decision];
  const notice = `${d.words} by ${who(turn)}.`;
  return {
    followUp: true,
    outcome: d.outcome,
    card: await card(ref.jobId, ref.cid, notice),
    cid: ref.cid,
    jobId: ref.jobId,
    message: `${d.icon} ${notice}`,
  };
}
