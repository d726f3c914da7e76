import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '@rackops/core/util/errors';
import { createWindowStore, WINDOW_TYPE, type WindowStore } from '@rackops/core/windows/window-store';
import { alice, bob, makeWindow } from '../../core/test/windows/window-factory';
import { startTestStore, type TestStore } from './helpers/dynalite-store';

let t: TestStore;
let windows: WindowStore;
beforeAll(async () => {
  t = await startTestStore();
  windows = createWindowStore(t.store, () => new Date('2026-12-01T12:00:00Z'));
});
afterAll(async () => {
  await t.close();
});

const slot = { windowId: 'W-OCC', start: '2026-12-06T01:00:00.000Z', end: '2026-12-06T05:00:00.000Z' };

describe('window store on dynalite', () => {
  it('creates, reads and lists windows; a second create with the same id is refused', async () => {
    await windows.createWindow(makeWindow({ windowId: 'W-A' }));
    await expect(windows.createWindow(makeWindow({ windowId: 'W-A' }))).rejects.toBeInstanceOf(ConflictError);
    const got = await windows.getWindow('W-A');
    expect(got?.value).toEqual(makeWindow({ windowId: 'W-A' }));
    expect((await windows.listWindows()).map((w) => w.windowId)).toContain('W-A');
    expect(await windows.getWindow('W-NONE')).toBeUndefined();
  });

  it('an update is conditional on the version read: the second of two concurrent approvals loses', async () => {
    await windows.createWindow(makeWindow({ windowId: 'W-B' }));
    const read = await windows.getWindow('W-B');
    if (!read) throw new Error('missing');
    await windows.updateWindow({ ...read.value, approval: 'approved', approvedBy: bob }, read.storeVersion);
    await expect(
      windows.updateWindow({ ...read.value, approval: 'rejected', approvedBy: alice }, read.storeVersion),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await windows.getWindow('W-B'))?.value.approval).toBe('approved');
  });

  it('refuses to write or read a malformed window', async () => {
    await expect(
      windows.createWindow(makeWindow({ windowId: 'W-C', zone: 'Mars/Olympus' })),
    ).rejects.toBeInstanceOf(ValidationError);
    await t.store.putRecord({ type: WINDOW_TYPE, id: 'W-BAD', data: { windowId: 'W-BAD' } });
    await expect(windows.getWindow('W-BAD')).rejects.toThrow(/stored window W-BAD/);
  });

  it('occurrences move scheduled → approved → running → partial with hosts left, and never back', async () => {
    await windows.moveOccurrence(slot, 'approved', {}, bob);
    await windows.moveOccurrence(slot, 'running', { jobId: 'JOB1' });
    const done = await windows.moveOccurrence(slot, 'partial', { hostsLeft: ['esx-03', 'esx-04'] });
    expect(done).toMatchObject({
      status: 'partial',
      jobId: 'JOB1',
      hostsLeft: ['esx-03', 'esx-04'],
      updatedBy: bob,
    });
    await expect(windows.moveOccurrence(slot, 'running')).rejects.toThrow(
      /is partial; it cannot become running/,
    );
    expect((await windows.getOccurrence(slot.windowId, slot.start))?.value.status).toBe('partial');
  });

  it("lists a window's occurrences oldest first; a skip records its reason", async () => {
    const later = { ...slot, start: '2026-12-13T01:00:00.000Z', end: '2026-12-13T05:00:00.000Z' };
    await windows.moveOccurrence(later, 'skipped', { reason: 'job J2 is running on prod-a' });
    const all = await windows.listOccurrences(slot.windowId);
    expect(all.map((o) => [o.start, o.status, o.reason])).toEqual([
      [slot.start, 'partial', undefined],
      [later.start, 'skipped', 'job J2 is running on prod-a'],
    ]);
  });

  it('deleting a window deletes its occurrences', async () => {
    await windows.createWindow(makeWindow({ windowId: 'W-OCC' }));
    await windows.deleteWindow('W-OCC');
    expect(await windows.getWindow('W-OCC')).toBeUndefined();
    expect(await windows.listOccurrences('W-OCC')).toEqual([]);
  });
});
