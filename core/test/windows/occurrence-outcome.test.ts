import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/jobs/job.schema';
import { occurrenceOutcome } from '../../src/windows/occurrence-settle';

const jobs = (...s: Job['status'][]) => s.map((status) => ({ status }));

describe('occurrence outcome', () => {
  it.each([
    { statuses: jobs('completed'), left: [], out: 'completed' },
    { statuses: jobs('completed', 'completed'), left: [], out: 'completed' },
    { statuses: jobs('completed'), left: ['h3'], out: 'partial' },
    { statuses: jobs('completed', 'failed'), left: ['h3'], out: 'failed' },
    { statuses: jobs('cancelled'), left: [], out: 'cancelled' },
    { statuses: jobs('cancelled'), left: ['h2'], out: 'partial' },
    { statuses: jobs('failed', 'cancelled'), left: [], out: 'failed' },
  ])('$statuses with hosts left $left → $out', ({ statuses, left, out }) => {
    expect(occurrenceOutcome(statuses, left)).toBe(out);
  });
});
