import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECONCILE_RESOURCE_TYPE } from '../src/constructs/deploy-reconcile';
import { REPO_ROOT } from '../src/handlers';
import { type Synthesized, synthesize } from './helpers/synth';

const INVENTORY = { everyMinutes: 30, vcenters: ['vc-1'], omes: ['ome-1'] };
let s: Synthesized;
let t: Template;
let reconcileFn: string;
beforeAll(() => {
  s = synthesize({ 'rackops:inventorySchedules': JSON.stringify(INVENTORY) });
  t = Template.fromStack(s.stateless);
  const fns = t.findResources('AWS::Lambda::Function', {
    Properties: { FunctionName: 'rackops-reconcile' },
  });
  reconcileFn = Object.keys(fns)[0] ?? '';
});
afterAll(() => s?.cleanup());

describe('deploy-time reconcile (what npm start does at boot, in AWS)', () => {
  it('the reconcile Lambda gets the inventory schedules from the context', () => {
    expect(reconcileFn).not.toBe('');
    t.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'rackops-reconcile',
      Environment: { Variables: Match.objectLike({ INVENTORY_SCHEDULES: JSON.stringify(INVENTORY) }) },
    });
  });

  it('a custom resource runs it on every deploy, after its permissions exist, and re-runs when the config changes', () => {
    const crs = t.findResources(RECONCILE_RESOURCE_TYPE);
    const [cr] = Object.values(crs) as { Properties: Record<string, unknown>; DependsOn?: string[] }[];
    expect(Object.keys(crs)).toHaveLength(1);
    expect(cr?.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [reconcileFn, 'Arn'] });
    expect(cr?.Properties.InventorySchedules).toBe(JSON.stringify(INVENTORY));
    const policies = Object.keys(t.findResources('AWS::IAM::Policy'));
    expect(cr?.DependsOn?.some((d) => policies.includes(d))).toBe(true);
  });

  it('a daily EventBridge rule runs it too', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [reconcileFn, 'Arn'] } })],
    });
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [reconcileFn, 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
  });

  it('it may manage schedules in the group and pass the scheduler role', () => {
    const policies = t.findResources('AWS::IAM::Policy');
    const mine = Object.values(policies).find((p) =>
      JSON.stringify(p).includes(reconcileFn.replace(/Function[0-9A-F]+$/, 'Role')),
    );
    const text = JSON.stringify(mine);
    expect(text).toContain('scheduler:CreateSchedule');
    expect(text).toContain('iam:PassRole');
    // Orphan window schedules are found by listing (an action IAM grants on "*" only).
    expect(text).toContain('scheduler:ListSchedules');
  });

  it('the stack outputs how many schedules the deploy put in place', () => {
    t.hasOutput('ReconciledInventorySchedules', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReconcileOnDeploy'), 'InventorySchedules'] },
    });
  });

  it('infra/README.md names the context key, the output and the steps', () => {
    const readme = readFileSync(`${REPO_ROOT}/infra/README.md`, 'utf8');
    expect(readme).toContain('rackops:inventorySchedules');
    expect(readme).toContain('ReconciledInventorySchedules');
    expect(readme).toContain(RECONCILE_RESOURCE_TYPE);
    expect(readme).toContain('What is verified without an AWS account');
  });
});
