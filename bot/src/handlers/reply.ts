import type { AdaptiveCard } from '@microsoft/teams-ai';
import { cardActivity } from '../job-cards';
import { saveCardLocation } from '../records';
import type { Turn } from '../runtime';

export async function say(turn: Turn, text: string): Promise<void> {
  await turn.sender.send({ type: 'message', text, textFormat: 'markdown' });
}

/**
 * Post a card and record where it lives: its buttons' data is bound to it, and Web Chat's submits update it by
 * this record. A sender that returns no activity id (no such record possible) leaves nothing behind.
 */
export async function postCard(turn: Turn, cid: string, card: AdaptiveCard, nowMs: number): Promise<void> {
  const activityId = await turn.sender.send(cardActivity(card));
  if (activityId)
    await saveCardLocation(
      turn.rt.store,
      cid,
      { conversationId: turn.sender.conversationId, activityId },
      nowMs,
    );
}
