import type { JobType } from '../jobs/job.schema';
import type { WorkflowName } from '../ports/orchestrator.port';
import { RackOpsError } from '../util/errors';

export class UnsupportedJobTypeError extends RackOpsError {
  constructor(type: string) {
    super('unsupported_job_type', `no workflow runs jobs of type ${type}`);
  }
}

const BY_TYPE: Partial<Record<JobType, WorkflowName>> = {
  rolling_cluster_update: 'rolling-cluster-update',
  firmware_update: 'firmware-update',
  power_operation: 'power-operation',
  virtual_media_mount: 'virtual-media',
  virtual_media_unmount: 'virtual-media',
  scp_export: 'scp-export',
  // Listing and comparing are one relay command each, as the export is: the same workflow.
  scp_backups: 'scp-export',
  scp_diff: 'scp-export',
  // The import, in maintenance mode for a clustered ESXi host.
  scp_restore: 'scp-restore',
  inventory_sync: 'inventory-sync',
  replication_sync: 'replication-sync',
  failover_test: 'failover-test',
  failover: 'failover',
};

/** The state machine that runs a job type. */
export function workflowForJobType(type: JobType): WorkflowName {
  const name = BY_TYPE[type];
  if (!name) throw new UnsupportedJobTypeError(type);
  return name;
}

export const supportsJobType = (type: JobType): boolean => BY_TYPE[type] !== undefined;
