import type { Turn } from '../runtime';

/** Refusals a security review wants to see, recorded besides the usual `chat.card_action`. */
export async function securityAudit(
  turn: Turn,
  action: string,
  detail: Record<string, unknown>,
  jobId?: string,
): Promise<void> {
  await turn.rt.store.recordAudit({
    actor: turn.actor,
    action,
    ...(jobId ? { jobId } : {}),
    detail: { conversationId: turn.sender.conversationId, ...detail },
  });
}

/** A job id the payload names, for the record only (unverified data is never acted on). */
export const claimedJobId = (raw: unknown): string | undefined => {
  const id = (raw as { p?: { jobId?: unknown } } | null)?.p?.jobId;
  return typeof id === 'string' ? id.slice(0, 64) : undefined;
};
