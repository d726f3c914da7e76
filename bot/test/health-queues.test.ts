import { type RelayQueuesRig, startRelayQueuesRig } from '@rackops/local/testing/relay-queues-rig';
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyText } from '../src/testing/harness';
import { BotConfig } from '../src/config';
import { type BotFixture, CONFIG, USERS, startBotFixture } from './support/bot-fixture';

const text = (replies: Partial<Activity>[]): string => replies.map(replyText).join('\n');

describe('health: the relay queues, on the SQS emulator, against the configured thresholds', () => {
  let rig: RelayQueuesRig;
  let f: BotFixture;
  beforeAll(async () => {
    rig = await startRelayQueuesRig();
    f = await startBotFixture({ health: { queueMaxMessages: 2 } }, { queries: { queues: rig.stats } });
  });
  afterAll(async () => {
    await f?.close();
    await rig?.close();
  });

  const queuesLines = async () =>
    text(await f.harness.say(USERS.viewer, 'health'))
      .split('\n')
      .filter(
        (l, i, all) =>
          l.includes('**queues**') ||
          (l.startsWith('  - ') &&
            all
              .slice(0, i)
              .reverse()
              .find((p) => p.startsWith('- '))
              ?.includes('**queues**')),
      );

  it('drained queues are ok and say how deep each is', async () => {
    expect(await queuesLines()).toEqual([
      '- 🟢 **queues** — commands 0, results 0, commands dead-letter 0, results dead-letter 0 (waiting+in flight)',
    ]);
  });

  it('a commands queue over the configured limit is a warning that says why', async () => {
    for (const id of ['C1', 'C2', 'C3']) await rig.send(rig.queues.commandsQueueUrl, id);
    expect(await queuesLines()).toEqual([
      '- 🟠 **queues** — commands 3, results 0, commands dead-letter 0, results dead-letter 0 (waiting+in flight)',
      '  - commands: 3 waiting, 0 in flight (limits 2 messages, 15 min): not drained fast enough',
    ]);
  });

  it('a message in a dead-letter queue makes the fleet critical, listed first', async () => {
    await rig.send(rig.queues.resultsDeadLetterUrl, 'R1');
    const t = text(await f.harness.say(USERS.viewer, 'health'));
    expect(t.split('\n')[0]).toBe('**Health** — fleet: 🔴 critical');
    expect(t).toMatch(
      /- 🔴 \*\*queues\*\* — commands 3, results 0, commands dead-letter 0, results dead-letter 1 \(waiting\+in flight\)\n {2}- results dead-letter: 1 message\(s\), oldest \d+s \(limit 0\): never processed, see the results handler's logs\n {2}- commands: 3 waiting/,
    );
  });

  it('a host or cluster report leaves the shared queues out', async () => {
    expect(text(await f.harness.say(USERS.viewer, 'health lab-a'))).not.toContain('**queues**');
  });

  it('a bad threshold in the config is refused by its path', () => {
    const r = BotConfig.safeParse({ ...CONFIG, health: { deadLetterMaxMessages: -1 } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['health', 'deadLetterMaxMessages']);
  });
});
