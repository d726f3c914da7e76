import { describe, expect, it } from 'vitest';
import { approvalAtFireTime, decideWindow, WindowApprovalError } from '../../src/windows/approval';
import { expandSlots } from '../../src/windows/recurrence';
import { dstCatchUpExpression, scheduleExpression } from '../../src/windows/schedule-expression';
import { canMoveOccurrence, WindowRecord } from '../../src/windows/window.schema';
import { alice, bob, makeWindow } from './window-factory';

const AT = new Date('2026-12-01T12:00:00Z');

describe('window approval (four-eyes on production)', () => {
  it('the creator cannot approve a production window; a second person can', () => {
    const w = makeWindow();
    expect(() => decideWindow(w, alice, 'approve', AT)).toThrow(WindowApprovalError);
    const ok = decideWindow(w, bob, 'approve', AT);
    expect(ok).toMatchObject({ approval: 'approved', approvedBy: bob, approvedAt: AT.toISOString() });
    expect(approvalAtFireTime(ok)).toEqual({ ok: true });
  });

  it('an unresolved approver is refused; a non-production window may be approved by its creator', () => {
    expect(() =>
      decideWindow(makeWindow(), { kind: 'user', id: 'x', unresolved: true }, 'approve', AT),
    ).toThrow(/known person/);
    expect(decideWindow(makeWindow({ production: false }), alice, 'approve', AT).approval).toBe('approved');
  });

  it('at fire time: pending production, rejected or cancelled windows do not run, with the reason', () => {
    expect(approvalAtFireTime(makeWindow())).toEqual({
      ok: false,
      reason: 'production window not approved by a second person',
    });
    expect(approvalAtFireTime(makeWindow({ production: false }))).toEqual({ ok: true });
    const rejected = decideWindow(makeWindow(), bob, 'reject', AT);
    expect(approvalAtFireTime(rejected)).toEqual({ ok: false, reason: 'rejected by Bob' });
    expect(approvalAtFireTime(makeWindow({ state: 'cancelled' })).ok).toBe(false);
  });

  it('the record schema accepts the factory window and refuses a bad zone or no targets', () => {
    expect(WindowRecord.safeParse(makeWindow()).success).toBe(true);
    expect(WindowRecord.safeParse(makeWindow({ zone: 'Nowhere/Land' })).success).toBe(false);
    expect(WindowRecord.safeParse(makeWindow({ targets: { clusters: [], hosts: [] } })).success).toBe(false);
  });

  it('occurrence status moves forward only', () => {
    expect(canMoveOccurrence('scheduled', 'approved')).toBe(true);
    expect(canMoveOccurrence('running', 'partial')).toBe(true);
    expect(canMoveOccurrence('completed', 'running')).toBe(false);
    expect(canMoveOccurrence('skipped', 'running')).toBe(false);
  });
});

describe('EventBridge schedule expressions', () => {
  it.each([
    [{ kind: 'once' as const }, 'at(2026-12-06T02:00:00)'],
    [{ kind: 'weekly' as const, weekdays: [6, 7] }, 'cron(0 2 ? * SAT,SUN *)'],
    [{ kind: 'monthly-weekday' as const, nth: 1 as const, weekday: 6 }, 'cron(0 2 ? * SAT#1 *)'],
    [{ kind: 'monthly-weekday' as const, nth: -1 as const, weekday: 7 }, 'cron(0 2 ? * SUNL *)'],
    [{ kind: 'monthly-day' as const, day: -1 as const }, 'cron(0 2 L * ? *)'],
    [{ kind: 'monthly-day' as const, day: 15 }, 'cron(0 2 15 * ? *)'],
    [{ kind: 'cron' as const, expression: '30 1 * * 0' }, 'cron(30 1 ? * SUN *)'],
    [{ kind: 'cron' as const, expression: '0 3 29 2 *' }, 'cron(0 3 29 2 ? *)'],
  ])('%o → %s', (recurrence, expr) => {
    expect(scheduleExpression({ recurrence, startDate: '2026-12-06', startTime: '02:00' })).toBe(expr);
  });

  it('a slot moved by spring-forward gets its own at() in the zone; others none', () => {
    const w = makeWindow({ startTime: '02:30', startDate: '2027-03-01' });
    const slots = expandSlots(w, new Date('2027-03-20T00:00Z'), new Date('2027-04-01T00:00Z'));
    expect(slots.map((s) => dstCatchUpExpression(s, w.zone))).toEqual([undefined, 'at(2027-03-28T03:30:00)']);
  });
});
