import { describe, expect, it } from 'vitest';
import { rpoStatus, syncScheduleExpression } from '../../src/replication/rpo';

const now = new Date('2026-12-05T12:00:00Z');
const createdAt = '2026-12-01T00:00:00Z';

describe('RPO status', () => {
  it('green within three quarters of the RPO, amber before it, red past it', () => {
    const at = (min: number) => new Date(now.getTime() - min * 60_000).toISOString();
    expect(rpoStatus({ rpoMinutes: 15, now, createdAt, lastSnapshotAt: at(5) })).toMatchObject({
      light: 'green',
      breached: false,
      ageSeconds: 300,
    });
    expect(rpoStatus({ rpoMinutes: 15, now, createdAt, lastSnapshotAt: at(14) }).light).toBe('amber');
    expect(rpoStatus({ rpoMinutes: 15, now, createdAt, lastSnapshotAt: at(16) })).toMatchObject({
      light: 'red',
      breached: true,
      ageSeconds: 960,
    });
  });

  it('a group that never replicated breaches once older than its RPO; a paused one never breaches', () => {
    expect(rpoStatus({ rpoMinutes: 15, now, createdAt: now.toISOString() })).toMatchObject({
      light: 'never',
      breached: false,
    });
    expect(rpoStatus({ rpoMinutes: 15, now, createdAt })).toMatchObject({ light: 'red', breached: true });
    expect(rpoStatus({ rpoMinutes: 15, now, createdAt, paused: true })).toMatchObject({
      light: 'paused',
      breached: false,
    });
  });

  it('syncs run twice per RPO', () => {
    expect(syncScheduleExpression(15)).toBe('rate(7 minutes)');
    expect(syncScheduleExpression(60)).toBe('rate(30 minutes)');
    expect(syncScheduleExpression(1)).toBe('rate(1 minute)');
    expect(syncScheduleExpression(3)).toBe('rate(1 minute)');
  });
});
