import { type Clock, systemClock } from '@rackops/core/ports/clock.port';
import type { StoredRecord } from '@rackops/core/ports/store.port';
import type { RelayCommandRecord } from '@rackops/core/relay/relay-command-record';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import type { RelayMessage } from '@rackops/core/relay/result.schema';
import {
  type ProgressMessage,
  type RelayMessageDeps,
  createRelayMessageHandler,
} from '@rackops/core/usecases/relay-message';
import { type Logger, pino } from 'pino';
import { z } from 'zod';
import { createInventoryPageHandler, dropThresholdFromEnv } from './inventory-page.handler';
import { checkAuthenticity } from './result-authenticity';
import type { Platform } from '../composition/platform';
import { lambdaEntry } from '../composition/lambda';
import { awsNotifications } from '../notifications/aws-notifier';
import { recordSecurityEvent } from './security-event';

/** The parts of an SQS event this handler reads. */
export const SqsBatch = z.object({
  Records: z.array(z.object({ messageId: z.string(), body: z.string() })),
});
export type SqsBatch = z.infer<typeof SqsBatch>;

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export interface ResultDeps extends Omit<RelayMessageDeps, 'clock' | 'logger'> {
  /** The keys the relay agent signs with (Secrets Manager in AWS): unsigned or unknown-key messages are refused. */
  relayKey: () => Promise<KeyMaterial>;
  clock?: Clock;
  logger?: Logger;
}

/**
 * Consumes the results queue: a shell around core's relay-message use case. Only messages the agent signed,
 * about commands we sent, reach it. Messages that fail for a transient reason are returned as
 * batchItemFailures (redelivered); malformed or forged messages are recorded and dropped, since redelivery
 * would not fix them.
 */
export function createResultHandler(deps: ResultDeps) {
  const clock = deps.clock ?? systemClock;
  const log = deps.logger ?? pino({ level: 'silent' });
  const handle = createRelayMessageHandler({ ...deps, clock, logger: log });

  return async (event: unknown): Promise<BatchResponse> => {
    const batch = SqsBatch.parse(event);
    const failures: BatchResponse['batchItemFailures'] = [];
    // Only messages the agent signed, about commands we sent, are acted on; the rest are refused, recorded
    // and dropped (redelivery would not make them true). A failure to check (the Store) is retried.
    const keys = await deps.relayKey();
    const checked = await Promise.all(
      batch.Records.map(
        async (
          record,
        ): Promise<
          { messageId: string; msg: RelayMessage; record?: StoredRecord<RelayCommandRecord> } | undefined
        > => {
          let raw: unknown;
          try {
            raw = JSON.parse(record.body);
          } catch {
            raw = undefined;
          }
          try {
            const v = await checkAuthenticity(raw, { store: deps.store, keys, now: clock.now() });
            if (v.ok)
              return {
                messageId: record.messageId,
                msg: v.message,
                ...(v.record ? { record: v.record } : {}),
              };
            const m = v.message;
            await recordSecurityEvent(
              { store: deps.store, log, clock },
              {
                reason: raw === undefined ? 'malformed' : v.reason,
                detail: raw === undefined ? 'the message body is not JSON' : v.detail,
                ...(m ? { messageType: m.type } : {}),
                ...(m && 'commandId' in m && m.commandId ? { commandId: m.commandId } : {}),
                ...(m && m.type !== 'agent-heartbeat' && m.jobId ? { jobId: m.jobId } : {}),
                ...(m?.kid ? { kid: m.kid } : {}),
              },
            );
          } catch (err) {
            log.error({ err, messageId: record.messageId }, 'message not checked; will be redelivered');
            failures.push({ itemIdentifier: record.messageId });
          }
          return undefined;
        },
      ),
    );
    const parsed = checked.filter((c) => c !== undefined);
    // All at once: a page to ingest must not hold up a result, not even its own command's. Order does not
    // matter to correctness: the command record is a versioned write that never leaves a final status, and a
    // streamed command's result waits for its pages (pagesIngested).
    await Promise.all(
      parsed.map(async ({ messageId, msg, record }) => {
        try {
          await handle(msg, record);
        } catch (err) {
          log.error(
            { err, messageId, type: msg.type, at: clock.now().toISOString() },
            'message failed; will be redelivered',
          );
          failures.push({ itemIdentifier: messageId });
        }
      }),
    );
    return { batchItemFailures: failures };
  };
}

/**
 * The result function from the platform. Inventory pages go to core's inventory ingestion unless the caller
 * routes them elsewhere (a local test that watches them).
 */
export const resultFromPlatform = (
  p: Platform,
  opts: { onInventoryPage?: (page: Record<string, unknown>, msg: ProgressMessage) => Promise<unknown> } = {},
) => {
  const ingest =
    opts.onInventoryPage ??
    createInventoryPageHandler({
      store: p.store,
      logger: p.logger.child({ part: 'inventory' }),
      dropThresholdPct: dropThresholdFromEnv(p.settings),
    });
  return createResultHandler({
    store: p.store,
    orchestrator: p.orchestrator,
    relayKey: p.relayKeys,
    clock: p.clock,
    logger: p.logger.child({ fn: 'result' }),
    ...(p.progress ? { progress: p.progress } : {}),
    onInventoryPage: async (page, msg) => {
      await ingest(page, msg);
    },
  });
};

/** AWS entry point (SQS event source with ReportBatchItemFailures); the job's card follows each result. */
export default lambdaEntry((p) => resultFromPlatform(p), { notifications: awsNotifications });
