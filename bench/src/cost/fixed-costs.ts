import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWorkflowDefinitions } from '@rackops/core/workflows/index';
import { buildRackOpsApp } from '@rackops/infra/app';
import { PRICES } from './prices';

type Resource = { Type: string; Properties?: Record<string, unknown> };

export interface FixedMonthly {
  alarms: number;
  alarmMetrics: number;
  kmsKeys: number;
  secrets: number;
  customMetrics: number;
  /** $ per month by item, whatever the traffic. */
  usd: Record<string, number>;
}

/**
 * What the deployed stacks cost per month before any traffic, counted from the synthesized CloudFormation
 * templates (the same app `npm run synth` builds, bundling off): alarms by metric (a metric-math alarm pays
 * for each metric it reads), customer managed KMS keys, Secrets Manager secrets, log metric filters that
 * publish a default value (the others, like embedded metrics written only on an event, cost nothing idle).
 */
export function fixedMonthlyFromTemplates(): FixedMonthly {
  const outdir = mkdtempSync(join(tmpdir(), 'rackops-bench-cost-synth-'));
  try {
    const built = buildRackOpsApp({
      outdir,
      context: {
        'rackops:prefix': 'rackops',
        'rackops:bundle': false,
        'rackops:relayAgentPrincipal': 'arn:aws:iam::123456789012:role/rackops-relay-agent-example',
        'rackops:teamsAppId': 'app-cost-bench',
      },
      workflowDefinitions: buildWorkflowDefinitions(),
      nag: false,
      cloudFormationValidation: false,
    });
    const assembly = built.app.synth();
    const resources: Resource[] = assembly.stacks.flatMap((s) =>
      Object.values((s.template as { Resources?: Record<string, Resource> }).Resources ?? {}),
    );
    const ofType = (t: string) => resources.filter((r) => r.Type === t);
    const alarms = ofType('AWS::CloudWatch::Alarm');
    const alarmMetrics = alarms.reduce((sum, a) => {
      const metrics = a.Properties?.Metrics as { MetricStat?: unknown }[] | undefined;
      return sum + (metrics ? metrics.filter((m) => m.MetricStat).length : 1);
    }, 0);
    const kmsKeys = ofType('AWS::KMS::Key').length;
    const secrets = ofType('AWS::SecretsManager::Secret').length;
    // A filter with a default value publishes a datapoint whenever its log has lines, so its custom metric is
    // billed every hour; without one the metric exists only in the hours something matched (idle: none).
    const customMetrics = ofType('AWS::Logs::MetricFilter').filter((f) =>
      (f.Properties?.MetricTransformations as { DefaultValue?: unknown }[] | undefined)?.some(
        (t) => t.DefaultValue !== undefined,
      ),
    ).length;
    return {
      alarms: alarms.length,
      alarmMetrics,
      kmsKeys,
      secrets,
      customMetrics,
      usd: {
        [`CloudWatch alarms (${alarms.length} alarms, ${alarmMetrics} metrics)`]:
          alarmMetrics * PRICES.alarmMetricMonth,
        [`KMS customer managed keys (${kmsKeys})`]: kmsKeys * PRICES.kmsKeyMonth,
        [`Secrets Manager secrets (${secrets})`]: secrets * PRICES.secretMonth,
        [`CloudWatch custom metrics from log filters (${customMetrics})`]:
          customMetrics * PRICES.customMetricMonth,
      },
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
