import type { Actor } from '../../src/jobs/job.schema';
import type { WindowRecord } from '../../src/windows/window.schema';

export const alice: Actor = { kind: 'user', id: 'u-alice', name: 'Alice' };
export const bob: Actor = { kind: 'user', id: 'u-bob', name: 'Bob' };

/** A valid weekly window on prod-a, Sundays 02:00 Berlin for 4 h; override what a test is about. */
export function makeWindow(over: Partial<WindowRecord> = {}): WindowRecord {
  return {
    windowId: 'W1',
    targets: { clusters: ['prod-a'], hosts: [] },
    action: 'rolling_firmware_update',
    zone: 'Europe/Berlin',
    startDate: '2026-12-01',
    startTime: '02:00',
    durationMinutes: 240,
    recurrence: { kind: 'weekly', weekdays: [7] },
    blockerPolicy: 'pause',
    continueOnFailure: false,
    production: true,
    createdBy: alice,
    createdAt: '2026-11-30T10:00:00.000Z',
    approval: 'pending',
    version: 1,
    state: 'active',
    ...over,
  };
}
