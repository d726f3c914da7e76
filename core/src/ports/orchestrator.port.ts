/** Step Functions, or the local engine running the same ASL. */
export interface Orchestrator {
  startExecution(req: {
    workflow: WorkflowName;
    name: string;
    input: unknown;
  }): Promise<{ executionId: string }>;
  sendTaskSuccess(taskToken: string, output: unknown): Promise<void>;
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
  sendTaskHeartbeat(taskToken: string): Promise<void>;
  stopExecution(executionId: string, cause: string): Promise<void>;
  describeExecution(executionId: string): Promise<
    | {
        status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
        output?: unknown;
        error?: string;
      }
    | undefined
  >;
}

export type WorkflowName =
  | 'rolling-cluster-update'
  | 'firmware-update'
  | 'power-operation'
  | 'virtual-media'
  | 'scp-export'
  | 'scp-restore'
  | 'inventory-sync'
  | 'replication-sync'
  | 'failover-test'
  | 'failover';
