import { conversationOf } from '../cards/card-data';
import { loadCardLocationOnce } from '../records';
import type { Turn } from '../runtime';

export type BindingFault = 'conversation_mismatch' | 'message_mismatch' | 'job_mismatch';

/**
 * Card data is signed for its conversation; this also ties it to the message it was posted as and the job that
 * message shows, from the card registry (cid -> where the card lives). Data lifted from job A's card and
 * submitted from another card (`replyToId` names the clicked message) acts on nothing. No registry entry (the
 * card was clicked before it was recorded, or the entry expired) leaves only the conversation binding.
 */
export async function checkCardBinding(
  turn: Turn,
  p: Record<string, unknown>,
): Promise<BindingFault | undefined> {
  if (typeof p.cid !== 'string') return undefined;
  const loc = await loadCardLocationOnce(turn.rt.store, p.cid, turn.reads);
  if (!loc) return undefined;
  if (conversationOf(loc.conversationId) !== conversationOf(turn.sender.conversationId))
    return 'conversation_mismatch';
  if (turn.replyToId !== undefined && loc.activityId !== turn.replyToId) return 'message_mismatch';
  if (loc.jobId !== undefined && typeof p.jobId === 'string' && loc.jobId !== p.jobId) return 'job_mismatch';
  return undefined;
}

export const BINDING_MESSAGE: Record<BindingFault, string> = {
  conversation_mismatch:
    '⛔ This card action belongs to a card in another conversation. Use the card where it was posted. Nothing was changed.',
  message_mismatch:
    '⛔ This card action does not belong to the card it was sent from. Use the buttons on the card itself. Nothing was changed.',
  job_mismatch:
    "⛔ This card action names a different job than the card's. Use the buttons on the job's own card. Nothing was changed.",
};
