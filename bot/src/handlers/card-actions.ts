import type { AdaptiveCard } from '@microsoft/teams-ai';
import { acceptDrop, formatDrops } from '@rackops/core/inventory/drop-guard';
import { approveJob, rejectJob } from '@rackops/core/usecases/approve-job';
import { cancelJob } from '@rackops/core/usecases/cancel-job';
import { createJob } from '@rackops/core/usecases/create-job';
import { JobStateError, StaleJobError } from '@rackops/core/usecases/errors';
import { getJobView } from '@rackops/core/usecases/job-queries';
import { forceResumeJob, resumeJob } from '@rackops/core/usecases/resume-job';
import { RackOpsError } from '@rackops/core/util/errors';
import { z } from 'zod';
import { type CardDataFault, type CardVerb, verifyCardData } from '../cards/card-data';
import { ConfirmPayload, describeOp, renderClosed } from '../cards/confirm-card';
import { wizardModel } from '../cards/wizard-card';
import { WIZARD_DRAFT_KEY } from '../cards/wizard-draft';
import type { Role } from '../config';
import { POWER_ACTIONS } from '../grammar/commands';
import { identityRefusal } from '../identity';
import { hasRole, refusal } from '../rbac';
import { claimCard } from '../records';
import { type Turn, cardKeyOf } from '../runtime';
import { auditPage } from './audit-command';
import { BINDING_MESSAGE, checkCardBinding } from './card-binding';
import { failoverCardAction } from './failover-card-actions';
import { fourEyesRefusal } from './four-eyes';
import { claimedJobId, securityAudit } from './security-audit';
import { mergePageInputs, resolutionFromDraft } from './wizard-submit';

export interface CardResult {
  /** Replaces the card the action came from. */
  card?: AdaptiveCard;
  /** Said in the conversation (or shown to the clicker, for Action.Execute without a card). */
  message?: string;
  /** The card's id, to find the message to update for Action.Submit (Web Chat). */
  cid?: string;
  outcome: string;
  jobId?: string;
  /** The action set the job moving (approve, cancel, resume…): re-render its card once the dust settles. */
  followUp?: boolean;
}

const VERB_ROLE: Record<CardVerb, Role> = {
  'job.approve': 'approver',
  'job.reject': 'approver',
  'job.cancel': 'operator',
  'job.refresh': 'viewer',
  'wizard.page': 'operator',
  'wizard.submit': 'operator',
  'confirm.run': 'operator',
  'confirm.abort': 'operator',
  'window.skip': 'operator',
  'window.postpone': 'operator',
  'window.create': 'operator',
  'failover.cleanup': 'operator',
  'audit.page': 'approver',
  'failover.decide': 'operator',
};

const JobRefP = z.object({
  jobId: z.string().min(1).max(64),
  v: z.number().int().nonnegative(),
  cid: z.string().min(1).max(64),
});
const CancelP = JobRefP.extend({ mode: z.enum(['graceful', 'immediate']) });
const WizardP = JobRefP.extend({
  page: z.number().int().min(0),
  lh: z.string(),
  to: z.number().int().min(0).optional(),
});
/** `keep`: the source of a held inventory sync whose stored objects the operator keeps. */
const AbortP = z.object({ cid: z.string().min(1).max(64), keep: z.string().max(300).optional() });
const MAX_COMMENT = 300;
/** A comment input: absent or not text is no comment; longer than MAX_COMMENT is refused, never cut silently. */
const Comment = z.string().optional().catch(undefined);
const Reason = z.string().trim().min(3).max(300);

const who = (turn: Turn): string => turn.actor.name ?? turn.actor.id;

const DATA_MESSAGE: Record<CardDataFault, string> = {
  malformed: '⛔ That card action is not valid. Nothing was changed.',
  oversize: '⛔ That card action is too large to be genuine. Nothing was changed.',
  unbound:
    '⛔ This card was drawn before cards were bound to their conversation. Show the job again (`status <job id>`) and use the new card. Nothing was changed.',
  conversation_mismatch: BINDING_MESSAGE.conversation_mismatch,
  tampered:
    "⛔ This card's data does not verify (it was altered or is from another system). Nothing was changed.",
};

/**
 * One handler for every card action, whether it came as Action.Execute (Teams) or its Action.Submit fallback
 * (Web Chat). Checks, in order: the sender is one person, the data verifies (size, zod, conversation, HMAC), it
 * belongs to the card it came from, four-eyes, the person has the role, the card is current. Any failure
 * changes nothing and says why.
 */
export async function handleCardAction(turn: Turn, raw: unknown): Promise<CardResult> {
  const conflict = identityRefusal(turn.identity);
  if (conflict) {
    await securityAudit(turn, 'security.identity_conflict', { ids: turn.actor.ids ?? [] });
    return { outcome: 'identity_conflict', message: conflict };
  }
  const verified = verifyCardData(cardKeyOf(turn), raw);
  if (!verified.ok) {
    if (verified.reason === 'conversation_mismatch')
      await securityAudit(turn, 'security.card_conversation_mismatch', {
        claimedJobId: claimedJobId(raw) ?? 'none',
      });
    return { outcome: verified.reason, message: DATA_MESSAGE[verified.reason] };
  }
  const { verb, p, inputs } = verified;
  // A Refresh reads its job whatever the checks find: read it beside the card location (shown only if they pass).
  const job =
    verb === 'job.refresh' && typeof p.jobId === 'string' ? turn.rt.store.getJob(p.jobId) : undefined;
  job?.catch(() => undefined);
  const fault = await checkCardBinding(turn, p);
  if (fault) {
    await securityAudit(
      turn,
      `security.card_${fault}`,
      { verb, cid: p.cid, ...(turn.replyToId ? { replyToId: turn.replyToId } : {}) },
      typeof p.jobId === 'string' ? p.jobId : undefined,
    );
    return { outcome: fault, message: BINDING_MESSAGE[fault] };
  }
  if (verb === 'job.approve') {
    const refused = await fourEyesRefusal(turn, p.jobId);
    // Before the role: the requester may never approve, so "you need the approver role" would mislead them.
    if (refused) return refused;
  }
  const needed: Role =
    verb === 'confirm.run' && (p.op as { kind?: unknown } | undefined)?.kind === 'force_resume'
      ? 'admin'
      : VERB_ROLE[verb];
  if (!hasRole(turn.role, needed))
    return { outcome: 'refused', message: refusal(needed, turn.role, `\`${verb}\``) };
  const comment = Comment.parse(inputs.in_comment);
  if ((verb === 'job.approve' || verb === 'job.reject') && comment && comment.length > MAX_COMMENT)
    return {
      outcome: 'invalid',
      message: `⛔ A comment can be at most ${MAX_COMMENT} characters; yours has ${comment.length}. Shorten it and try again. Nothing was changed.`,
    };
  try {
    return await runVerb(turn, verb, p, inputs, job);
  } catch (err) {
    const jobId = typeof p.jobId === 'string' ? p.jobId : undefined;
    const cid = typeof p.cid === 'string' ? p.cid : undefined;
    if (err instanceof StaleJobError || err instanceof JobStateError) {
      // Show what is true now, so the person can act on the current state.
      const card = jobId && cid ? await currentCard(turn, jobId, cid).catch(() => undefined) : undefined;
      return {
        outcome: 'stale',
        message: `⚠️ This card is out of date: ${err.message}. Nothing was changed.`,
        ...(card ? { card, cid } : {}),
        ...(jobId ? { jobId } : {}),
      };
    }
    if (err instanceof RackOpsError)
      return { outcome: err.code, message: `⚠️ ${err.message}`, ...(jobId ? { jobId } : {}) };
    throw err;
  }
}

async function currentCard(
  turn: Turn,
  jobId: string,
  cid: string,
  notice?: string,
  job?: ReturnType<Turn['rt']['store']['getJob']>,
): Promise<AdaptiveCard> {
  const opts = { ...(notice ? { notice } : {}), ...(job ? { job } : {}) };
  return (await turn.rt.jobCards.render(jobId, cid, turn.sender.conversationId, opts)).card;
}

async function runVerb(
  turn: Turn,
  verb: CardVerb,
  p: Record<string, unknown>,
  inputs: Record<string, unknown>,
  job?: ReturnType<Turn['rt']['store']['getJob']>,
): Promise<CardResult> {
  const uc = turn.rt.usecases;
  switch (verb) {
    case 'job.refresh': {
      const ref = JobRefP.parse(p);
      return {
        outcome: 'ok',
        card: await currentCard(turn, ref.jobId, ref.cid, undefined, job),
        cid: ref.cid,
        jobId: ref.jobId,
      };
    }
    case 'job.approve': {
      const ref = JobRefP.parse(p);
      const comment = Comment.parse(inputs.in_comment);
      const { outcome } = await approveJob(uc, {
        jobId: ref.jobId,
        actor: turn.actor,
        expectedVersion: ref.v,
        ...(comment ? { comment } : {}),
      });
      const notice = `Approved by ${who(turn)}; ${outcome === 'scheduled' ? 'scheduled' : 'starting'}.`;
      return {
        followUp: true,
        outcome,
        card: await currentCard(turn, ref.jobId, ref.cid, notice),
        cid: ref.cid,
        jobId: ref.jobId,
        message: `✅ ${notice}`,
      };
    }
    case 'job.reject': {
      const ref = JobRefP.parse(p);
      const comment = Comment.parse(inputs.in_comment);
      await rejectJob(uc, {
        jobId: ref.jobId,
        actor: turn.actor,
        expectedVersion: ref.v,
        ...(comment ? { comment } : {}),
      });
      return {
        followUp: true,
        outcome: 'rejected',
        card: await currentCard(turn, ref.jobId, ref.cid),
        cid: ref.cid,
        jobId: ref.jobId,
        message: `🚫 Rejected by ${who(turn)}.`,
      };
    }
    case 'failover.cleanup':
    case 'failover.decide':
      return failoverCardAction(turn, verb, p, (jobId, cid, notice) => currentCard(turn, jobId, cid, notice));
    case 'job.cancel': {
      const ref = CancelP.parse(p);
      const { effect } = await cancelJob(uc, { jobId: ref.jobId, mode: ref.mode, actor: turn.actor });
      const notice =
        effect === 'cancelled'
          ? `Cancelled by ${who(turn)}.`
          : `Cancel (${ref.mode}) requested by ${who(turn)}; HA is restored before it stops.`;
      return {
        followUp: true,
        outcome: effect,
        card: await currentCard(turn, ref.jobId, ref.cid, notice),
        cid: ref.cid,
        jobId: ref.jobId,
      };
    }
    case 'wizard.page':
    case 'wizard.submit': {
      const ref = WizardP.parse(p);
      const view = await getJobView(turn.rt.store, ref.jobId);
      if (view.job.status !== 'paused' || view.job.version !== ref.v)
        throw new StaleJobError(ref.jobId, `job ${ref.jobId} is ${view.job.status} now`);
      const opts = { key: cardKeyOf(turn), cid: ref.cid, maxBytes: turn.rt.config.maxCardBytes };
      const model = wizardModel(view, opts);
      if (model.layoutHash !== ref.lh)
        throw new StaleJobError(ref.jobId, 'the blockers changed since this card was drawn');
      const draft = mergePageInputs(model, ref.page, inputs, await turn.rt.jobCards.loadDraft(ref.jobId));
      await turn.rt.store.putJobItem(ref.jobId, 'note', WIZARD_DRAFT_KEY, draft);
      if (verb === 'wizard.page') {
        const to = Math.min(ref.to ?? ref.page, model.pages.length - 1);
        const card = (
          await turn.rt.jobCards.render(ref.jobId, ref.cid, turn.sender.conversationId, { page: to })
        ).card;
        return { outcome: 'page', card, cid: ref.cid, jobId: ref.jobId };
      }
      const resolution = resolutionFromDraft(ref.jobId, model, draft);
      await resumeJob(uc, { jobId: ref.jobId, actor: turn.actor, resolution, expectedVersion: ref.v });
      await turn.rt.store.deleteJobItem(ref.jobId, 'note', WIZARD_DRAFT_KEY);
      const skipped = resolution.hosts.filter((h) => h.skipHost).length;
      const notice = `Resumed by ${who(turn)}${skipped ? `; ${skipped} host(s) skipped` : ''}.`;
      return {
        followUp: true,
        outcome: 'resumed',
        card: await currentCard(turn, ref.jobId, ref.cid, notice),
        cid: ref.cid,
        jobId: ref.jobId,
        message: `▶️ ${notice}`,
      };
    }
    case 'confirm.abort': {
      const ref = AbortP.parse(p);
      if (!(await claimCard(turn.rt.store, ref.cid, turn.rt.clock.now().getTime())))
        return { outcome: 'used', message: 'This confirmation was already answered. Nothing was changed.' };
      if (ref.keep)
        return {
          outcome: 'drop_kept',
          card: renderClosed(
            'Inventory kept',
            `${who(turn)} kept every stored object of ${ref.keep}. Nothing was marked gone; the next sync is held again while the drop lasts.`,
          ),
          cid: ref.cid,
        };
      return {
        outcome: 'aborted',
        card: renderClosed('Aborted', `Aborted by ${who(turn)}. Nothing was done.`),
        cid: ref.cid,
      };
    }
    case 'confirm.run':
      return confirmRun(turn, ConfirmPayload.parse(p), inputs);
    case 'window.skip':
    case 'window.create':
    case 'window.postpone':
      return (await import('./window-card-actions')).windowCardAction(turn, verb, p, inputs);
    case 'audit.page':
      return auditPage(turn, p);
  }
}

async function confirmRun(
  turn: Turn,
  p: ConfirmPayload,
  inputs: Record<string, unknown>,
): Promise<CardResult> {
  const now = turn.rt.clock.now();
  if (new Date(p.exp).getTime() < now.getTime())
    return {
      outcome: 'expired',
      message: 'This confirmation has expired. Run the command again. Nothing was changed.',
    };
  const op = p.op;
  // Validate everything before claiming the card, so a bad reason does not burn the confirmation.
  const reason = op.kind === 'force_resume' ? Reason.safeParse(inputs.in_reason) : undefined;
  if (reason && !reason.success)
    return {
      outcome: 'invalid',
      message: 'A forced resume needs a reason (3–300 characters). Nothing was changed.',
    };
  if (!(await claimCard(turn.rt.store, p.cid, now.getTime())))
    return { outcome: 'used', message: 'This confirmation was already used. Nothing was changed.' };
  if (op.kind === 'force_resume') {
    await forceResumeJob(turn.rt.usecases, {
      jobId: op.jobId,
      actor: turn.actor,
      reason: reason?.data ?? '',
      expectedVersion: op.v,
    });
    turn.rt.jobCards.refresh(op.jobId);
    return {
      followUp: true,
      outcome: 'force_resumed',
      card: renderClosed('Force-resumed', `Job ${op.jobId} force-resumed by ${who(turn)}: ${reason?.data}`),
      cid: p.cid,
      jobId: op.jobId,
    };
  }
  if (op.kind === 'inventory_drop') {
    await acceptDrop(turn.rt.store, { ...op, actor: turn.actor, now });
    const { job } = await createJob(turn.rt.usecases, {
      type: 'inventory_sync',
      target: { kind: op.source, id: op.sourceId },
      params: { source: op.source },
      actor: turn.actor,
      production: false,
      conversationId: turn.sender.conversationId,
    });
    await turn.rt.jobCards.post(turn.sender, job.id);
    return {
      followUp: true,
      outcome: 'drop_accepted',
      card: renderClosed(
        'Smaller estate accepted',
        `${who(turn)} accepted that ${op.source} ${op.sourceId} now reports ${formatDrops(op.drops)}. Sync job ${job.id} marks what is no longer reported gone.`,
      ),
      cid: p.cid,
      jobId: job.id,
    };
  }
  const request =
    op.kind === 'power'
      ? { type: 'power_operation' as const, params: { action: POWER_ACTIONS[op.action] } }
      : op.kind === 'media_mount'
        ? {
            type: 'virtual_media_mount' as const,
            params: { image: op.url, device: 'CD', ...(op.login ? { credentialsRef: op.login } : {}) },
          }
        : { type: 'virtual_media_unmount' as const, params: { device: 'CD' } };
  const { job, outcome } = await createJob(turn.rt.usecases, {
    ...request,
    target: { kind: 'host', id: op.hostId },
    actor: turn.actor,
    production: op.production,
    conversationId: turn.sender.conversationId,
  });
  await turn.rt.jobCards.post(turn.sender, job.id);
  return {
    followUp: true,
    outcome,
    card: renderClosed(
      'Confirmed',
      `${who(turn)} confirmed: ${describeOp(op).replaceAll('**', '')}. Job ${job.id}${outcome === 'awaiting_approval' ? ' is waiting for approval' : ''}.`,
    ),
    cid: p.cid,
    jobId: job.id,
  };
}
