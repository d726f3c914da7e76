import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWorkflowDefinitions } from '@rackops/core/workflows/index';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildRackOpsApp, type RackOpsApp } from '../../src/app';
import { lambdaFunctions } from '../../src/handlers';
import type { StatelessStack } from '../../src/stateless-stack';

/** The names of the Lambdas the stack deploys (the explicit list; bundling is off in tests). */
export const FUNCTION_NAMES: readonly string[] = lambdaFunctions().map((f) => f.name);

/** The relay agent principal every test synth trusts unless it says otherwise. */
export const TEST_RELAY_PRINCIPAL = 'arn:aws:iam::123456789012:role/rackops-relay-agent-example';

export interface Synthesized extends RackOpsApp {
  readonly stateless: StatelessStack;
  readonly assembly: CloudAssembly;
  readonly outdir: string;
  cleanup(): void;
}

/**
 * Synthesizes the whole app with a stub Lambda asset, the real workflow definitions and the given context.
 * cdk-nag only when asked (the cdk-nag test asks); CDK's WASM CloudFormation validation never (it costs 10+ s
 * per synth here; `npm run synth` in CI runs it).
 * Call cleanup() in afterAll.
 */
export function synthesize(context: Record<string, unknown> = {}, opts: { nag?: boolean } = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'rackops-infra-test-'));
  const built = buildRackOpsApp({
    outdir,
    context: {
      'rackops:prefix': 'rackops',
      'rackops:bundle': false,
      'rackops:relayAgentPrincipal': TEST_RELAY_PRINCIPAL,
      ...context,
    },
    workflowDefinitions: buildWorkflowDefinitions(),
    nag: opts.nag ?? false,
    cloudFormationValidation: false,
  });
  const assembly = built.app.synth();
  return {
    ...built,
    stateless: built.stateless,
    assembly,
    outdir,
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** `{ Fn::GetAtt: [id, 'Arn'] }` as CloudFormation writes it. */
export const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

/** The environment the synthesized template gives one Lambda (by its FunctionName): what its entry module reads. */
export function functionEnvironment(functionName: string): Record<string, unknown> {
  const synth = synthesize();
  try {
    const fns = Object.values(
      synth.assembly.getStackByName(synth.stateless.stackName).template.Resources as Record<
        string,
        {
          Type: string;
          Properties: { FunctionName?: string; Environment?: { Variables: Record<string, unknown> } };
        }
      >,
    ).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === functionName);
    if (fns.length !== 1) throw new Error(`${fns.length} functions named ${functionName} in the template`);
    return fns[0]?.Properties.Environment?.Variables ?? {};
  } finally {
    synth.cleanup();
  }
}

/**
 * Sets `process.env` as the Lambda would see it: the template's variables (references replaced by `local`, the
 * rest marked unresolved), silent logs, and local credentials and endpoints for the SDK.
 */
export function applyFunctionEnvironment(
  env: Record<string, unknown>,
  local: Record<string, string>,
  endpoints: Record<string, string>,
): void {
  for (const [name, value] of Object.entries(env))
    process.env[name] = local[name] ?? (typeof value === 'string' ? value : `unresolved-${name}`);
  process.env.LOG_LEVEL = 'silent';
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
    AWS_SECRET_ACCESS_KEY: 'local',
    ...endpoints,
  });
}
