import { describe, expect, it } from 'vitest';
import { loadConversation } from '../src/records';
import { USERS, startBotFixture } from './support/bot-fixture';

describe('the conversation record proactive messages and card updates need', () => {
  it('is written to each Store: a second stack in the same process (a scenario file, a restart) has it too', async () => {
    for (const round of [1, 2]) {
      const f = await startBotFixture();
      try {
        await f.harness.say(USERS.operator, 'status');
        expect(await loadConversation(f.store, 'conv-1'), `stack ${round}`).toMatchObject({
          conversation: { id: 'conv-1' },
        });
      } finally {
        await f.close();
      }
    }
  });
});
