import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startResultsPoller } from '../src/runtime/results-poller';
import { type SqsEmulator, startSqsEmulator } from '../src/sqs-emulator';

/** The local stand-in for the result function's event source mapping, on the SQS emulator. */
let emu: SqsEmulator;
let sqs: SQSClient;
/** ReceiveMessage calls out right now, and the most ever out at once. */
let receiving = 0;
let mostReceiving = 0;
let receives = 0;

beforeAll(async () => {
  emu = await startSqsEmulator();
  sqs = new SQSClient({
    endpoint: emu.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'ReceiveMessageCommand') return next(args);
      receives++;
      mostReceiving = Math.max(mostReceiving, ++receiving);
      try {
        return await next(args);
      } finally {
        receiving--;
      }
    },
    { step: 'initialize', name: 'countReceives' },
  );
});
afterAll(async () => {
  sqs?.destroy();
  await emu?.close();
});

async function queue(name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return QueueUrl!;
}
const send = (url: string, body: string) =>
  sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
async function counts(url: string) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    waiting: Number(Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}
async function until(check: () => boolean | Promise<boolean>, ms = 5000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('results poller', () => {
  it('keeps one long poll out, so a message costs one receive, and deletes what was handled', async () => {
    const url = await queue('poller-one-receive');
    const handled: string[] = [];
    receives = 0;
    mostReceiving = 0;
    const poller = startResultsPoller({
      sqs,
      queueUrl: url,
      waitTimeSeconds: 1,
      handle: async (e) => {
        handled.push(...e.Records.map((r) => r.body));
        return { batchItemFailures: [] };
      },
    });
    try {
      for (let i = 0; i < 20; i++) {
        await send(url, `m${i}`);
        await until(() => handled.length === i + 1);
      }
      expect(handled).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
      expect(mostReceiving).toBe(1);
      // Each message wakes the one waiting poll (then the next goes out): five waiting polls made five per message.
      expect(receives).toBeLessThanOrEqual(20 + 3);
      await until(async () => (await counts(url)).inFlight === 0);
      expect(await counts(url)).toEqual({ waiting: 0, inFlight: 0 });
    } finally {
      await poller.stop();
    }
  });

  it('handles later batches while a slow one runs, and stop waits for the batches it handed over', async () => {
    const url = await queue('poller-slow-batch');
    let release!: () => void;
    const slowGate = new Promise<void>((r) => {
      release = r;
    });
    const handled: string[] = [];
    const poller = startResultsPoller({
      sqs,
      queueUrl: url,
      waitTimeSeconds: 1,
      handle: async (e) => {
        for (const r of e.Records) if (r.body === 'slow') await slowGate;
        handled.push(...e.Records.map((r) => r.body));
        return { batchItemFailures: [] };
      },
    });
    let stopped = false;
    try {
      await send(url, 'slow');
      await until(async () => (await counts(url)).inFlight === 1);
      await send(url, 'fast');
      await until(() => handled.includes('fast'));
      expect(handled).toEqual(['fast']);
      const stopping = poller.stop().then(() => {
        stopped = true;
      });
      await new Promise((r) => setTimeout(r, 1500));
      expect(stopped).toBe(false);
      release();
      await stopping;
      expect(handled).toEqual(['fast', 'slow']);
      expect(await counts(url)).toEqual({ waiting: 0, inFlight: 0 });
    } finally {
      release();
      if (!stopped) await poller.stop();
    }
  });

  it('leaves a message its handler reported as failed on the queue, to be received again', async () => {
    const url = await queue('poller-failed-item');
    const seen: string[] = [];
    const poller = startResultsPoller({
      sqs,
      queueUrl: url,
      waitTimeSeconds: 1,
      handle: async (e) => {
        seen.push(...e.Records.map((r) => r.body));
        return {
          batchItemFailures: e.Records.filter((r) => r.body === 'bad').map((r) => ({
            itemIdentifier: r.messageId,
          })),
        };
      },
    });
    try {
      await send(url, 'bad');
      await send(url, 'good');
      await until(() => seen.includes('bad') && seen.includes('good'));
      await until(async () => (await counts(url)).inFlight === 1);
      // Only the failed one is still there (invisible until its visibility timeout ends).
      expect(await counts(url)).toEqual({ waiting: 0, inFlight: 1 });
    } finally {
      await poller.stop();
    }
  });
});
