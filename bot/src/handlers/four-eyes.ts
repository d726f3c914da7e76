import { samePerson } from '@rackops/core/jobs/same-person';
import type { Turn } from '../runtime';
import type { CardResult } from './card-actions';

/** Refuses an approval by the requester (under any of their ids) or by someone who cannot be told apart. */
export async function fourEyesRefusal(turn: Turn, jobId: unknown): Promise<CardResult | undefined> {
  if (typeof jobId !== 'string') return undefined;
  const job = await turn.rt.store.getJob(jobId);
  if (!job) return undefined;
  const verdict = samePerson(turn.actor, job.createdBy);
  if (verdict === 'same')
    return {
      outcome: 'four_eyes',
      message: `⛔ Four-eyes: you requested job ${job.id}, so a different person with the **approver** role must approve it. Nothing was changed.`,
      jobId: job.id,
    };
  if (verdict === 'unknown')
    return {
      outcome: 'identity_unresolved',
      message: `⛔ Four-eyes: RackOps cannot tell ${turn.actor.unresolved ? 'who you are from this message (it carries no AAD object id and your id is not listed under `people`)' : 'who requested this job (their message carried no AAD object id and they are not listed under `people`)'}, so it cannot check that approver and requester are two people. Ask an admin to list every id of both people under \`people\` in the bot config. Nothing was changed.`,
      jobId: job.id,
    };
  return undefined;
}
