import { describe, expect, it } from 'vitest';
import { pollBackoff } from '../src/commands/poll-backoff';

describe('pollBackoff', () => {
  it('looks again soon, then settles at the configured interval', () => {
    const next = pollBackoff(5000);
    expect(Array.from({ length: 6 }, next)).toEqual([625, 1250, 2500, 5000, 5000, 5000]);
  });
  it('each wait loop starts quick again, and never sleeps 0 ms', () => {
    pollBackoff(8)();
    expect(pollBackoff(8)()).toBe(1);
    expect(pollBackoff(1)()).toBe(1);
  });
});
