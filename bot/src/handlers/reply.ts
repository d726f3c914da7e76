import type { Turn } from '../runtime';

export async function say(turn: Turn, text: string): Promise<void> {
  await turn.sender.send({ type: 'message', text, textFormat: 'markdown' });
}
