import { describe, expect, it } from 'vitest';
import { outOfServiceS } from '../../src/planner/makespan';
import { DEFAULT_HOST_TIMING, estimateFit, GUARD_MARGIN, mayStartHost } from '../../src/windows/fit';

describe('fit estimate', () => {
  it('waves are ⌈hosts / k⌉ and the makespan is staging plus one host time per wave (default timing)', () => {
    const e = estimateFit({ hosts: 8, k: 2, durationMinutes: 240 });
    expect(e).toMatchObject({ waves: 4, timingSource: 'default', windowS: 14_400 });
    // 600 s staging + 4 × (120 + 2760 + 120) s
    expect(e.makespanS).toBe(600 + 4 * 3000);
    expect(e.fits).toBe(true);
    expect(e.spareS).toBe(14_400 - 12_600);
  });

  it('does not fit when the waves outlast the window; measured times replace the default', () => {
    expect(estimateFit({ hosts: 8, k: 1, durationMinutes: 240 }).fits).toBe(false);
    const fast = { ...DEFAULT_HOST_TIMING, applyRebootS: 600, evacuateS: 120 };
    const e = estimateFit({ hosts: 8, k: 1, durationMinutes: 240, timing: fast });
    expect(e).toMatchObject({ fits: true, timingSource: 'measured' });
  });

  it('nothing to update takes no time', () => {
    expect(estimateFit({ hosts: 0, k: 3, durationMinutes: 60 })).toMatchObject({
      waves: 0,
      makespanS: 0,
      fits: true,
    });
  });
});

describe('window-end guard', () => {
  const end = new Date('2026-12-06T05:00:00Z');
  const at = (leftS: number) => new Date(end.getTime() - leftS * 1000);
  const host = outOfServiceS(DEFAULT_HOST_TIMING); // 2760 s
  const margin = Math.max(GUARD_MARGIN.minS, host * GUARD_MARGIN.fraction); // 600 s

  // time left × expected host time → start or not
  it.each([
    { leftS: 7200, hostS: undefined, start: true },
    { leftS: host + margin, hostS: undefined, start: true },
    { leftS: host + margin - 1, hostS: undefined, start: false },
    { leftS: host, hostS: undefined, start: false },
    { leftS: 0, hostS: undefined, start: false },
    { leftS: -60, hostS: undefined, start: false },
    { leftS: 900, hostS: 300, start: true }, // 300 + 600 min margin
    { leftS: 899, hostS: 300, start: false },
    { leftS: 6000, hostS: 5000, start: true }, // 5000 + 20 % = 6000
    { leftS: 5999, hostS: 5000, start: false },
  ])('$leftS s left, host $hostS s → start $start', ({ leftS, hostS, start }) => {
    const d = mayStartHost({ now: at(leftS), windowEnd: end, hostS });
    expect(d.start).toBe(start);
    expect(d.leftS).toBe(leftS);
    if (!start) expect(d.reason).toMatch(/window ends in/);
  });

  // A time-scaled lab (1/60): host time and margin shrink alike.
  it.each([
    { leftS: 56, start: true },
    { leftS: 55, start: false },
  ])('scaled: $leftS s left, host 46 s, margin 10 s → start $start', ({ leftS, start }) => {
    expect(mayStartHost({ now: at(leftS), windowEnd: end, hostS: 46, marginMinS: 10 }).start).toBe(start);
  });
});
