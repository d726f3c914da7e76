import { type IngestResult, ingestInventoryPage } from '@rackops/core/inventory/ingest';
import { DEFAULT_DROP_THRESHOLD_PCT } from '@rackops/core/inventory/drop-guard';
import { recordIngestOutcome } from '@rackops/core/inventory/ingest-report';
import type { Store } from '@rackops/core/ports/store.port';
import { type Logger, pino } from 'pino';
import { z } from 'zod';
import type { Settings } from '../composition/settings';

export interface InventoryPageDeps {
  store: Store;
  logger?: Logger;
  /** Parallel Store writes per group. @default 16 */
  concurrency?: number;
  /** @default 20 (core/src/inventory/drop-guard.ts); the result function passes `dropThresholdFromEnv(settings)` */
  dropThresholdPct?: number;
}

const ThresholdPct = z.coerce.number().min(0).max(100);

/** `INVENTORY_DROP_THRESHOLD_PCT`: how far a source's counts may fall in one sync before gone-marks wait for a person. */
export function dropThresholdFromEnv(settings: Pick<Settings, 'INVENTORY_DROP_THRESHOLD_PCT'>): number {
  const raw = settings.INVENTORY_DROP_THRESHOLD_PCT;
  if (raw === undefined || raw === '') return DEFAULT_DROP_THRESHOLD_PCT;
  const r = ThresholdPct.safeParse(raw);
  if (!r.success)
    throw new Error(`INVENTORY_DROP_THRESHOLD_PCT must be a percentage from 0 to 100, not "${raw}"`);
  return r.data;
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
  const dropThresholdPct = deps.dropThresholdPct ?? DEFAULT_DROP_THRESHOLD_PCT;
  return async (page, msg) => {
    const started = Date.now();
    const result = await ingestInventoryPage(deps.store, page, {
      ...(deps.concurrency !== undefined ? { concurrency: deps.concurrency } : {}),
      dropThresholdPct,
    });
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
        ...(result.held.length ? { held: result.held } : {}),
        warnings: result.warnings.length,
        ms: Date.now() - started,
      },
      'inventory page ingested',
    );
    return result;
  };
}
