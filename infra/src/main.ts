import { buildWorkflowDefinitions } from '@rackops/core/workflows/index';
import { buildRackOpsApp } from './app';

/**
 * The CDK app (`cdk.json`: `npx tsx infra/src/main.ts`). Environment-agnostic and lookup-free, so
 * `npx cdk synth` works offline; `cdk deploy` takes the account and region from the caller's credentials.
 */
const { app } = buildRackOpsApp({
  workflowDefinitions: buildWorkflowDefinitions(),
});
app.synth();
