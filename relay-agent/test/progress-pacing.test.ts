import { describe, expect, it } from 'vitest';
import { ProgressPacing } from '../src/protocol/progress-pacing';

/** A pacing on a clock the test moves; `at(ms)` sets it. */
function paced(minGapMs = 1000, heartbeatMs = 5000) {
  let t = 0;
  const pacing = new ProgressPacing({ minGapMs, heartbeatMs, now: () => t });
  const at = (ms: number) => {
    t = ms;
  };
  return { pacing, at };
}

describe('which progress messages go out', () => {
  it('news goes out at once, the same news again only as the heartbeat', () => {
    const { pacing, at } = paced();
    expect(pacing.offer({ message: 'applying: 0 of 3 job(s) done' })).toEqual({
      message: 'applying: 0 of 3 job(s) done',
    });
    // A handler polling every 83 ms that finds nothing new for 6 s sends nothing until the heartbeat is due.
    const sent: number[] = [];
    for (let ms = 83; ms <= 6000; ms += 83) {
      at(ms);
      if (pacing.offer({ message: 'applying: 0 of 3 job(s) done' })) sent.push(ms);
      if (pacing.due(1)) sent.push(-ms);
    }
    expect(sent).toEqual([5063]);
  });

  it('news inside the gap is held back and the latest goes out when the gap has passed', () => {
    const { pacing, at } = paced();
    pacing.offer({ message: 'a' });
    at(200);
    expect(pacing.offer({ message: 'b' })).toBeUndefined();
    at(400);
    expect(pacing.offer({ message: 'c', percent: 40 })).toBeUndefined();
    at(900);
    expect(pacing.due(1)).toBeUndefined();
    at(1000);
    expect(pacing.due(1)).toEqual({ message: 'c', percent: 40 });
    expect(pacing.due(1)).toBeUndefined();
  });

  it('a percent that moved is news; news back to what was sent drops what was held', () => {
    const { pacing, at } = paced();
    pacing.offer({ message: 'staging', percent: 10 });
    at(1500);
    expect(pacing.offer({ message: 'staging', percent: 20 })).toEqual({ message: 'staging', percent: 20 });
    at(1600);
    expect(pacing.offer({ message: 'staging', percent: 30 })).toBeUndefined();
    at(1700);
    expect(pacing.offer({ message: 'staging', percent: 20 })).toBeUndefined();
    at(3000);
    expect(pacing.due(1)).toBeUndefined();
  });

  it('a quiet handler gets a heartbeat saying how long the command has run, never a suffix on a suffix', () => {
    const { pacing, at } = paced();
    pacing.offer({ message: 'waiting for the host to go down' });
    at(5000);
    expect(pacing.due(5)).toEqual({ message: 'waiting for the host to go down (running for 5s)' });
    at(9000);
    expect(pacing.due(9)).toBeUndefined();
    at(10_000);
    expect(pacing.due(10)).toEqual({ message: 'waiting for the host to go down (running for 10s)' });
  });

  it('a busy handler repeating itself gets the heartbeat as its own news, without the suffix', () => {
    const { pacing, at } = paced();
    pacing.offer({ message: 'x' });
    at(4900);
    pacing.offer({ message: 'x' });
    at(5000);
    expect(pacing.due(5)).toEqual({ message: 'x' });
  });

  it('what must go out (a data page) goes at once, and counts as sent', () => {
    const { pacing, at } = paced();
    pacing.offer({ message: 'a' });
    at(100);
    expect(pacing.sendNow({ message: 'page 2 of 9' })).toEqual({ message: 'page 2 of 9' });
    at(500);
    expect(pacing.offer({ message: 'page 2 of 9' })).toBeUndefined();
  });
});
