import type { WorkflowName } from '../ports/orchestrator.port';
import type { AslMachine } from './asl';
import { buildFailoverTestWorkflow } from './failover-test.workflow';
import { buildFailoverWorkflow } from './failover.workflow';
import { buildHostUpdateWorkflow } from './host-update.workflow';
import { buildReplicationSyncWorkflow } from './replication-sync.workflow';
import { buildScpRestoreWorkflow } from './scp-restore.workflow';
import { buildSingleCommandWorkflow } from './single-command.workflow';

export { workflowForJobType } from './registry';
export type { AslMachine } from './asl';

/** Execution input every workflow expects: the job is read from the Store, so nothing else is trusted. */
export interface WorkflowInput {
  jobId: string;
}

/**
 * Every workflow as ASL JSON (JSONPath; no JSONata, no Variables), with `${DispatchFunctionArn}` and
 * `${JobOpsFunctionArn}` left for definition substitution. The same JSON runs on AWS and locally.
 */
export function buildWorkflowDefinitions(): Record<WorkflowName, AslMachine> {
  return {
    'rolling-cluster-update': buildHostUpdateWorkflow('rolling'),
    'firmware-update': buildHostUpdateWorkflow('single-host'),
    'power-operation': buildSingleCommandWorkflow('RackOps power operation on one server'),
    'virtual-media': buildSingleCommandWorkflow('RackOps virtual media mount / unmount'),
    'scp-export': buildSingleCommandWorkflow('RackOps Server Configuration Profile export'),
    'scp-restore': buildScpRestoreWorkflow(),
    'inventory-sync': buildSingleCommandWorkflow('RackOps inventory sync from vCenter or OME'),
    'replication-sync': buildReplicationSyncWorkflow(),
    'failover-test': buildFailoverTestWorkflow(),
    failover: buildFailoverWorkflow(),
  };
}

/** Replace `${Name}` placeholders (what CloudFormation's definitionSubstitutions does). */
export function substituteDefinition(definition: object, substitutions: Record<string, string>): object {
  const json = JSON.stringify(definition).replace(/\$\{([A-Za-z0-9_]+)\}/g, (m, name: string) =>
    Object.hasOwn(substitutions, name) ? (substitutions[name] as string) : m,
  );
  return JSON.parse(json) as object;
}
