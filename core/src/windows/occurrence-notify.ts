import type { Notifier, WindowOutcomeEvent } from '../ports/notifier.port';
import type { Occurrence, WindowRecord } from './window.schema';

type Ended = WindowOutcomeEvent['status'];
const ENDED: readonly string[] = ['completed', 'partial', 'failed', 'skipped', 'cancelled'] satisfies Ended[];

/** The targets in the words people know them by (`lab-b`, not the record id). */
function targetNames(w: WindowRecord): string {
  const ids = [...w.targets.clusters, ...w.targets.hosts];
  return ids.map((id) => w.targets.names?.[id] ?? id).join(', ');
}

/** How an ended occurrence is told; undefined while it has not ended. */
export function windowOutcomeEvent(w: WindowRecord, occ: Occurrence): WindowOutcomeEvent | undefined {
  if (!ENDED.includes(occ.status)) return undefined;
  const status = occ.status as Ended;
  const left = occ.hostsLeft ?? [];
  const why = occ.reason ? `: ${occ.reason}` : '';
  const rest =
    status === 'partial' || left.length
      ? `; ${left.length} host(s) left for the next occurrence: ${left.join(', ')}`
      : '';
  const detail = `window ${w.windowId} (${targetNames(w)}) at ${occ.start}: ${status}${why}${rest}`;
  const clusterId = w.targets.clusters[0];
  return {
    kind: 'window_outcome',
    windowId: w.windowId,
    start: occ.start,
    status,
    hostsLeft: [...left],
    detail: detail.slice(0, 4000),
    ...(w.conversationId ? { conversationId: w.conversationId } : {}),
    ...(clusterId ? { clusterId } : {}),
  };
}

/** Tell people how the occurrence ended (never throws: the Notifier does not). */
export async function notifyOccurrence(
  notifier: Notifier | undefined,
  w: WindowRecord,
  occ: Occurrence,
): Promise<void> {
  const event = notifier ? windowOutcomeEvent(w, occ) : undefined;
  if (notifier && event) await notifier.notify(event);
}
