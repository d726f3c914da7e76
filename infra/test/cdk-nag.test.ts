import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Synthesized, synthesize } from './helpers/synth';

interface Report {
  pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
}
const readReport = (dir: string): Report =>
  JSON.parse(readFileSync(join(dir, 'validation-report.json'), 'utf8')) as Report;

/** Every acknowledgment recorded anywhere in the tree. */
function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([id, reason]) => ({ path: c.node.path, id, reason })),
  );
}

describe('cdk-nag AwsSolutions checks', () => {
  let synth: Synthesized;

  beforeAll(() => {
    synth = synthesize({}, { nag: true });
  });
  afterAll(() => synth?.cleanup());

  it('report zero unacknowledged findings (errors or warnings) on the whole app', () => {
    const report = readReport(synth.outdir);
    const findings = report.pluginReports.flatMap((p) => p.violations);
    expect(findings).toEqual([]);
  });

  it('acknowledge only specific rules or findings, each with a specific reason', () => {
    const acks = acknowledgments(synth.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      expect(a.id, a.path).toMatch(/^AwsSolutions::AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThanOrEqual(60);
      // A wildcard finding is acknowledged per finding, never for the whole IAM5 rule.
      if (a.id.includes('AwsSolutions-IAM5')) expect(a.id).toMatch(/\[(Resource|Action)::.+\]$/);
    }
  });

  it('would fail the synth on a finding nobody acknowledged (the check is live)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rackops-nag-'));
    try {
      const app = new App({ outdir: dir, builtinCloudFormationValidation: false });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      new Queue(new Stack(app, 'Bad'), 'PlainQueue');
      expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
      const rules = readReport(dir).pluginReports.flatMap((p) => p.violations as { ruleName: string }[]);
      expect(rules.map((v) => v.ruleName)).toEqual(
        expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
