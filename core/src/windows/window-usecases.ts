import type { Actor } from '../jobs/job.schema';
import type { Store } from '../ports/store.port';
import { resolveCluster, resolveHost } from '../usecases/targets';
import { NotFoundError, ValidationError } from '../util/errors';
import { newId } from '../util/ids';
import { decideWindow } from './approval';
import { findConflict } from './conflicts';
import type { FitEstimate } from './fit';
import { expandSlots, nextSlot, type Slot } from './recurrence';
import { createWindowStore } from './window-store';
import type { WindowSpecText } from './window-text';
import type { Occurrence, WindowRecord } from './window.schema';

export interface WindowDeps {
  store: Store;
  now: () => Date;
  /** Configured production clusters (names or ids), as for jobs. */
  productionClusters: readonly string[];
  /** The fit preview (window-preview.ts); injected so tests and the bot share one. */
  preview: (
    clusterIds: readonly string[],
    extraHosts: number,
    durationMinutes: number,
  ) => Promise<{ estimate: FitEstimate }>;
}

export class WindowConflictError extends ValidationError {}

/**
 * Create a window: targets resolved against the inventory (so a production cluster is known as such),
 * refused when it overlaps another window on a shared cluster or host (naming it), stored `pending`.
 * Returns the record, its fit preview and its next occurrences.
 */
export async function createWindow(
  deps: WindowDeps,
  input: {
    clusters: readonly string[];
    hosts: readonly string[];
    spec: WindowSpecText;
    by: Actor;
    conversationId?: string;
  },
): Promise<{ window: WindowRecord; estimate: FitEstimate; next: Slot[] }> {
  const clusters = [];
  for (const c of input.clusters) clusters.push(await resolveCluster(deps.store, c, deps.productionClusters));
  const hosts = [];
  for (const h of input.hosts) hosts.push(await resolveHost(deps.store, h, deps.productionClusters));
  const now = deps.now();
  const window: WindowRecord = {
    windowId: `W${newId(now.getTime()).slice(-8)}`,
    targets: {
      clusters: clusters.map((c) => c.id),
      hosts: hosts.map((h) => h.id),
      names: Object.fromEntries([...clusters, ...hosts].map((t) => [t.id, t.name])),
    },
    action: 'rolling_firmware_update',
    ...input.spec,
    production: [...clusters, ...hosts].some((t) => t.production),
    createdBy: input.by,
    createdAt: now.toISOString(),
    approval: 'pending',
    version: 1,
    state: 'active',
    ...(input.conversationId ? { conversationId: input.conversationId } : {}),
  };
  const next = expandSlots(window, now, new Date(now.getTime() + 400 * 86_400_000), 3);
  if (next.length === 0) throw new ValidationError('that schedule has no occurrence in the next 400 days');
  const windows = createWindowStore(deps.store, deps.now);
  const conflict = findConflict(window, await windows.listWindows(), now);
  if (conflict) {
    throw new WindowConflictError(
      `overlaps window ${conflict.windowId} on ${window.targets.names?.[conflict.target] ?? conflict.target} (its occurrence at ${conflict.otherStart}); ` +
        'move or shorten one of them',
    );
  }
  const { estimate } = await deps.preview(
    window.targets.clusters,
    window.targets.hosts.length,
    window.durationMinutes,
  );
  await windows.createWindow(window);
  return { window, estimate, next };
}

/**
 * Edit a series' schedule, length, policy or failure handling (`window edit <id> …`, the create grammar after
 * the id). Validated whole before anything is written: a schedule with no occurrence, or one overlapping
 * another window on a shared target, is refused naming why, and the stored series is unchanged. The edit
 * raises `version` and voids the approval (four-eyes again for production). Returns the record as stored.
 */
export async function editWindow(
  deps: WindowDeps,
  windowId: string,
  spec: WindowSpecText,
  by: Actor,
): Promise<{ window: WindowRecord; estimate: FitEstimate; next: Slot[]; approvalVoided: boolean }> {
  const found = await requireWindow(deps, windowId);
  const w = found.value;
  if (w.state === 'cancelled') throw new ValidationError(`window ${windowId} is cancelled; create a new one`);
  const now = deps.now();
  const { approvedBy: _by, approvedAt: _at, untilDate: _until, ...kept } = w;
  const edited: WindowRecord = {
    ...kept,
    ...spec,
    version: w.version + 1,
    approval: 'pending',
  };
  const next = expandSlots(edited, now, new Date(now.getTime() + 400 * 86_400_000), 3);
  if (next.length === 0) throw new ValidationError('that schedule has no occurrence in the next 400 days');
  const windows = createWindowStore(deps.store, deps.now);
  const conflict = findConflict(edited, await windows.listWindows(), now);
  if (conflict) {
    throw new WindowConflictError(
      `overlaps window ${conflict.windowId} on ${edited.targets.names?.[conflict.target] ?? conflict.target} (its occurrence at ${conflict.otherStart}); ` +
        'nothing was changed',
    );
  }
  const { estimate } = await deps.preview(
    edited.targets.clusters,
    edited.targets.hosts.length,
    edited.durationMinutes,
  );
  await windows.updateWindow(edited, found.storeVersion);
  await deps.store.recordAudit({
    actor: by,
    action: 'window.edit',
    target: `window:${windowId}`,
    detail: { version: edited.version },
  });
  return { window: edited, estimate, next, approvalVoided: w.approval === 'approved' };
}

async function requireWindow(deps: WindowDeps, windowId: string) {
  const found = await createWindowStore(deps.store, deps.now).getWindow(windowId);
  if (!found) throw new NotFoundError('window', windowId);
  return found;
}

/** Approve or reject the series (four-eyes for production: approval.ts). */
export async function decideWindowSeries(
  deps: WindowDeps,
  windowId: string,
  by: Actor,
  decision: 'approve' | 'reject',
): Promise<WindowRecord> {
  const found = await requireWindow(deps, windowId);
  const next = decideWindow(found.value, by, decision, deps.now());
  await createWindowStore(deps.store, deps.now).updateWindow(next, found.storeVersion);
  return next;
}

/** End the series: no occurrence fires any more (the scheduler's reconcile deletes its schedule). */
export async function cancelWindow(deps: WindowDeps, windowId: string): Promise<WindowRecord> {
  const found = await requireWindow(deps, windowId);
  if (found.value.state === 'cancelled') return found.value;
  const next: WindowRecord = { ...found.value, state: 'cancelled' };
  await createWindowStore(deps.store, deps.now).updateWindow(next, found.storeVersion);
  return next;
}

/** Skip the next occurrence, or the one starting on a date (YYYY-MM-DD, in the window's zone). */
export async function skipOccurrence(
  deps: WindowDeps,
  windowId: string,
  which: string | undefined,
  by: Actor,
): Promise<Occurrence> {
  const { value: w } = await requireWindow(deps, windowId);
  const now = deps.now();
  let slot: Slot | undefined;
  if (!which || which.toLowerCase() === 'next') {
    slot = nextSlot(w, now);
  } else {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(which))
      throw new ValidationError(`"${which}" is neither "next" nor a date (YYYY-MM-DD)`);
    slot = expandSlots(w, now, new Date(now.getTime() + 800 * 86_400_000)).find((s) =>
      s.localStart.startsWith(which),
    );
  }
  if (!slot)
    throw new ValidationError(
      `window ${windowId} has no coming occurrence ${which && which !== 'next' ? `on ${which}` : ''}`.trim(),
    );
  return createWindowStore(deps.store, deps.now).moveOccurrence(
    { windowId, start: slot.start, end: slot.end },
    'skipped',
    { reason: `skipped by ${by.name ?? by.id}` },
    by,
  );
}

/** Every active window's occurrences in the next `days`, with the stored status where one exists. */
export async function upcoming(
  deps: WindowDeps,
  days = 14,
): Promise<{ window: WindowRecord; slot: Slot; occurrence?: Occurrence }[]> {
  const windows = createWindowStore(deps.store, deps.now);
  const now = deps.now();
  const to = new Date(now.getTime() + days * 86_400_000);
  const out: { window: WindowRecord; slot: Slot; occurrence?: Occurrence }[] = [];
  for (const w of await windows.listWindows()) {
    if (w.state === 'cancelled') continue;
    const stored = new Map((await windows.listOccurrences(w.windowId)).map((o) => [o.start, o]));
    // Start one length back so an occurrence running now is listed.
    for (const slot of expandSlots(w, new Date(now.getTime() - w.durationMinutes * 60_000), to, 100)) {
      const occurrence = stored.get(slot.start);
      out.push({ window: w, slot, ...(occurrence ? { occurrence } : {}) });
    }
  }
  return out.sort((a, b) => (a.slot.start < b.slot.start ? -1 : 1));
}
