import type { Actor } from '../jobs/job.schema';
import type { RecordStore, StoredRecord } from '../ports/record-store.port';
import { listAllRecords } from '../store/list-all-records';
import { ConflictError, NotFoundError, ValidationError } from '../util/errors';
import { parseOrThrow } from '../util/zod-errors';
import { canMoveOccurrence, Occurrence, type OccurrenceStatus, WindowRecord } from './window.schema';

/** Store record types: one `window` per series, one `window-occurrence` per slot (parent = the window). */
export const WINDOW_TYPE = 'window';
export const OCCURRENCE_TYPE = 'window-occurrence';

/** A stored value and the Store's version of it, for the next conditional write. */
export interface Versioned<T> {
  value: T;
  storeVersion: number;
}

/**
 * Windows and their occurrences on the generic record API of the Store port (no new table shape): every
 * read is parsed with zod (a record is data from outside this process), every change is conditional on the
 * version read, so two people approving at once cannot both win.
 */
export function createWindowStore(store: RecordStore, now: () => Date = () => new Date()) {
  const parseWindow = (rec: StoredRecord<unknown>): Versioned<WindowRecord> => ({
    value: parseOrThrow(WindowRecord, rec.data, `stored window ${rec.id}`),
    storeVersion: rec.version,
  });
  const parseOccurrence = (rec: StoredRecord<unknown>): Versioned<Occurrence> => ({
    value: parseOrThrow(Occurrence, rec.data, `stored occurrence ${rec.id}`),
    storeVersion: rec.version,
  });
  const occurrenceId = (windowId: string, start: string) => `${windowId}@${start}`;

  const listAll = (type: string, parent?: string) => listAllRecords(store, type, parent);

  return {
    async createWindow(w: WindowRecord): Promise<void> {
      const value = parseOrThrow(WindowRecord, w, 'window');
      try {
        await store.putRecord({ type: WINDOW_TYPE, id: value.windowId, data: value }, { ifAbsent: true });
      } catch (err) {
        if (err instanceof ConflictError) throw new ConflictError(`window ${value.windowId} already exists`);
        throw err;
      }
    },

    async getWindow(windowId: string): Promise<Versioned<WindowRecord> | undefined> {
      const rec = await store.getRecord(WINDOW_TYPE, windowId);
      return rec ? parseWindow(rec) : undefined;
    },

    /** Replace a window; ConflictError when someone changed it since `storeVersion` was read. */
    async updateWindow(w: WindowRecord, storeVersion: number): Promise<void> {
      const value = parseOrThrow(WindowRecord, w, 'window');
      await store.putRecord(
        { type: WINDOW_TYPE, id: value.windowId, data: value },
        { ifVersion: storeVersion },
      );
    },

    async listWindows(): Promise<WindowRecord[]> {
      return (await listAll(WINDOW_TYPE)).map((r) => parseWindow(r).value);
    },

    async getOccurrence(windowId: string, start: string): Promise<Versioned<Occurrence> | undefined> {
      const rec = await store.getRecord(OCCURRENCE_TYPE, occurrenceId(windowId, start));
      return rec ? parseOccurrence(rec) : undefined;
    },

    /** Occurrences of one window, oldest first. */
    async listOccurrences(windowId: string): Promise<Occurrence[]> {
      const all = (await listAll(OCCURRENCE_TYPE, windowId)).map((r) => parseOccurrence(r).value);
      return all.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    },

    /**
     * Move an occurrence to `to` (creating it as `scheduled` first when it has no record yet), refusing a
     * move its current status does not allow. Conditional on the version read: a lost race throws Conflict.
     */
    async moveOccurrence(
      slot: { windowId: string; start: string; end: string },
      to: OccurrenceStatus,
      fields: Partial<
        Pick<Occurrence, 'reason' | 'jobId' | 'jobIds' | 'hostsLeft' | 'carriedHosts' | 'postponedMinutes'>
      > = {},
      by?: Actor,
    ): Promise<Occurrence> {
      const id = occurrenceId(slot.windowId, slot.start);
      const current = await store.getRecord(OCCURRENCE_TYPE, id);
      const read = current ? parseOccurrence(current) : undefined;
      const from: OccurrenceStatus = read?.value.status ?? 'scheduled';
      if (read && from === to && Object.keys(fields).length === 0) return read.value;
      if (from !== to && !canMoveOccurrence(from, to)) {
        throw new ValidationError(
          `occurrence ${slot.start} of window ${slot.windowId} is ${from}; it cannot become ${to}`,
        );
      }
      const next = parseOrThrow(
        Occurrence,
        {
          ...(read?.value ?? { windowId: slot.windowId, start: slot.start, end: slot.end }),
          ...fields,
          status: to,
          updatedAt: now().toISOString(),
          ...(by ? { updatedBy: by } : {}),
        },
        'occurrence',
      );
      await store.putRecord(
        { type: OCCURRENCE_TYPE, id, parent: slot.windowId, sortKey: slot.start, data: next },
        read ? { ifVersion: read.storeVersion } : { ifAbsent: true },
      );
      return next;
    },

    async deleteWindow(windowId: string): Promise<void> {
      const occurrences = await listAll(OCCURRENCE_TYPE, windowId);
      for (const o of occurrences) await store.deleteRecord(OCCURRENCE_TYPE, o.id);
      const found = await store.getRecord(WINDOW_TYPE, windowId);
      if (!found) throw new NotFoundError('window', windowId);
      await store.deleteRecord(WINDOW_TYPE, windowId);
    },
  };
}

export type WindowStore = ReturnType<typeof createWindowStore>;
