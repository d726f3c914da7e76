import type { Job } from '../../jobs/job.schema';
import { agentStatus } from '../../usecases/agent-status';
import type { OpsDeps } from './ops-deps';

/**
 * A host's step went silent (the engine's heartbeat timeout): tell people about every relay agent whose own
 * heartbeats stopped too, since no rollout can go on without one. The text names the last heartbeat, not the
 * host, so the other hosts of the job that time out on the same outage raise the same event (delivered once).
 * Returns the agents found offline.
 */
export async function reportOfflineAgents(deps: OpsDeps, job: Job): Promise<string[]> {
  const offline = (await agentStatus(deps.store, deps.clock)).filter((a) => !a.online);
  for (const a of offline)
    await deps.notifier.notify({
      kind: 'agent_offline',
      agentId: a.agentId,
      detail: `no heartbeat since ${a.lastSeen} while job ${job.id} runs; its hosts stopped reporting progress`,
    });
  return offline.map((a) => a.agentId);
}
