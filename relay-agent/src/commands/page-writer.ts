import type {
  InventoryGroup,
  InventoryPageInput,
  SyncSource,
} from '@rackops/core/inventory/sync-page.schema';
import type { CommandContext } from './command-context';

/**
 * Streams inventory groups as progress pages of about `pageSize` items. A group (all children of
 * one parent) is never split — ingestion computes "gone" per group — so pages close between groups.
 */
export function createPageWriter(
  ctx: CommandContext,
  source: SyncSource,
  sourceId: string,
  pageSize: number,
  /** The run's size by record type, when known before the first page (the drop guard compares it). */
  totals?: Record<string, number>,
) {
  let seq = 0;
  let groups: InventoryGroup[] = [];
  let items = 0;
  const counts: Record<string, number> = {};
  const flush = async (last: boolean, warnings: string[] = []) => {
    const page: InventoryPageInput = {
      v: 1,
      source,
      sourceId,
      runId: ctx.commandId,
      seq,
      last,
      groups,
      ...(totals ? { totals } : {}),
      warnings: warnings.slice(0, 200),
    };
    await ctx.progress(`inventory page ${seq}${last ? ' (last)' : ''}: ${items} items`, {
      page: page as Record<string, unknown>,
    });
    seq++;
    groups = [];
    items = 0;
  };
  return {
    /** `complete: false`: not every child of `parent` could be read, so none may be marked gone. */
    async add(type: string, parent: string, list: unknown[], complete = true): Promise<void> {
      counts[type] = (counts[type] ?? 0) + list.length;
      groups.push({ type, parent, items: list, complete });
      items += list.length;
      if (items >= pageSize) await flush(false);
    },
    async finish(warnings: string[]): Promise<{ pages: number; counts: Record<string, number> }> {
      await flush(true, warnings);
      return { pages: seq, counts };
    },
  };
}
