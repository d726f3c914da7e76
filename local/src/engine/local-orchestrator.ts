import type { Orchestrator } from '@rackops/core/ports/orchestrator.port';
import type { LocalEngine } from './local-engine';

/** The Orchestrator port over the local engine: the same calls the AWS adapter makes to Step Functions. */
export function createLocalOrchestrator(engine: LocalEngine): Orchestrator {
  return {
    startExecution: (req) => engine.startExecution(req),
    sendTaskSuccess: (token, output) => engine.sendTaskSuccess(token, output),
    sendTaskFailure: (token, error, cause) => engine.sendTaskFailure(token, error, cause),
    sendTaskHeartbeat: (token) => engine.sendTaskHeartbeat(token),
    stopExecution: (id, cause) => engine.stopExecution(id, cause),
    async describeExecution(id) {
      const d = await engine.describeExecution(id);
      if (!d) return undefined;
      return {
        status: d.status,
        ...(d.output !== undefined ? { output: d.output } : {}),
        ...(d.error !== undefined ? { error: d.error } : {}),
      };
    },
  };
}
