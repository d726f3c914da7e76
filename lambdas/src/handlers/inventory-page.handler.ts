import { type IngestResult, ingestInventoryPage } from '@rackops/core/inventory/ingest';
import { recordIngestOutcome } from '@rackops/core/inventory/ingest-report';
import type { Store } from '@rackops/core/ports/store.port';
import { type Logger, pino } from 'pino';

export interface InventoryPageDeps {
  store: Store;
  logger?: Logger;
  /** Parallel Store writes per group. @default 16 */
  concurrency?: number;
}

/** The part of a relay progress message the ingestion needs (see core/src/relay/result.schema.ts). */
export interface InventoryPageMessage {
  commandId: string;
  jobId?: string;
  kind?: string;
}

export type OnInventoryPage = (
  page: Record<string, unknown>,
  msg: InventoryPageMessage,
) => Promise<IngestResult>;

/**
 * `onInventoryPage` for the result handler: a progress message carrying `page` is ingested
 * incrementally (only changed items written, vanished ones marked gone) and the outcome — warnings for
 * bad device data, per-page counts — is recorded on the sync job. Bad data never throws; a Store error
 * does, so the results message is redelivered and the page ingested again (ingestion is idempotent).
 */
export function createInventoryPageHandler(deps: InventoryPageDeps): OnInventoryPage {
  const log = deps.logger ?? pino({ level: 'silent' });
  return async (page, msg) => {
    const started = Date.now();
    const result = await ingestInventoryPage(deps.store, page, { concurrency: deps.concurrency });
    if (msg.jobId) await recordIngestOutcome(deps.store, msg.jobId, result);
    log.info(
      {
        jobId: msg.jobId,
        commandId: msg.commandId,
        seq: result.seq,
        last: result.last,
        items: result.items,
        written: result.written,
        unchanged: result.unchanged,
        gone: result.gone,
        warnings: result.warnings.length,
        ms: Date.now() - started,
      },
      'inventory page ingested',
    );
    return result;
  };
}
