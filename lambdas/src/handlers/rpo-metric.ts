/** Metric the RPO alarm watches (CloudWatch embedded metric format: a log line, no API call). */
export const RPO_METRIC = { namespace: 'RackOps', name: 'ProtectionGroupPastRpo' } as const;

/**
 * One tick's RPO state of a group. Past its RPO: an embedded-metric line (value 1, the group rides along).
 * Within it: a plain log line and no datapoint, because a custom metric is billed ($0.30 a month) for every
 * hour it receives one; the alarm (Maximum ≥ 1, missing data not breaching) reads "no datapoint" exactly as
 * it read 0, and turns OK when the breaching ticks stop.
 */
export function emitRpoMetric(
  group: string,
  breached: boolean,
  write: (line: string) => void = console.log,
): void {
  if (!breached) {
    write(JSON.stringify({ [RPO_METRIC.name]: 0, group }));
    return;
  }
  write(
    JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: RPO_METRIC.namespace,
            Dimensions: [[]],
            Metrics: [{ Name: RPO_METRIC.name, Unit: 'Count' }],
          },
        ],
      },
      [RPO_METRIC.name]: 1,
      group,
    }),
  );
}
