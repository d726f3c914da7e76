import { describe, expect, it } from 'vitest';
import { WINDOW_END_REASON, stopReasonOf, stopWords } from '../src/jobs/stop-reason';

const at = '2026-12-06T05:00:00.000Z';

describe('a job stop reason (cancel now and window end, one mechanism)', () => {
  it.each([
    [{ updatedAt: at }, undefined],
    [{ updatedAt: at, cancelRequested: 'graceful' as const }, undefined],
    // Recorded before stopReason existed: an immediate cancel still stops hosts at their next checkpoint.
    [
      { updatedAt: at, cancelRequested: 'immediate' as const },
      { kind: 'cancel_now', at },
    ],
    [
      { updatedAt: at, stopReason: { kind: 'window_end' as const, at } },
      { kind: 'window_end', at },
    ],
    [
      {
        updatedAt: at,
        cancelRequested: 'immediate' as const,
        stopReason: { kind: 'window_end' as const, at: '2026-12-06T04:00:00.000Z' },
      },
      { kind: 'window_end', at: '2026-12-06T04:00:00.000Z' },
    ],
  ])('%j stops with %j', (job, expected) => {
    expect(stopReasonOf(job)).toEqual(expected);
  });

  it("a window end's words start with the reason the occurrence counts hosts left by; a cancel's do not", () => {
    expect(stopWords({ kind: 'window_end', at, detail: 'occurrence x' })).toBe(
      `${WINDOW_END_REASON}: the window ended at ${at} (occurrence x)`,
    );
    expect(stopWords({ kind: 'cancel_now', at }).startsWith(WINDOW_END_REASON)).toBe(false);
  });
});
