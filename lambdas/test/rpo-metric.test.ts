import { describe, expect, it } from 'vitest';
import { emitRpoMetric, RPO_METRIC } from '../src/handlers/rpo-metric';

const lineOf = (group: string, breached: boolean): Record<string, unknown> => {
  const lines: string[] = [];
  emitRpoMetric(group, breached, (l) => lines.push(l));
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
};

describe('emitRpoMetric', () => {
  it('past its RPO: an embedded-metric line, value 1, naming the group', () => {
    const line = lineOf('pg-db', true);
    expect(line).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: RPO_METRIC.namespace,
            Dimensions: [[]],
            Metrics: [{ Name: RPO_METRIC.name, Unit: 'Count' }],
          },
        ],
      },
      [RPO_METRIC.name]: 1,
      group: 'pg-db',
    });
    expect(typeof (line._aws as { Timestamp: unknown }).Timestamp).toBe('number');
  });

  it('within its RPO: a plain log line, no datapoint (a custom metric is billed for every hour it gets one)', () => {
    const line = lineOf('pg-db', false);
    expect(line).toEqual({ [RPO_METRIC.name]: 0, group: 'pg-db' });
    expect(line).not.toHaveProperty('_aws');
  });
});
