/** Metric the RPO alarm watches (CloudWatch embedded metric format: a log line, no API call). */
export const RPO_METRIC = { namespace: 'RackOps', name: 'ProtectionGroupPastRpo' } as const;

/** One tick's RPO state of a group: 1 past its RPO, 0 within it; the group rides along as a field. */
export function emitRpoMetric(
  group: string,
  breached: boolean,
  write: (line: string) => void = console.log,
): void {
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
      [RPO_METRIC.name]: breached ? 1 : 0,
      group,
    }),
  );
}
