import type { Job } from '../../jobs/job.schema';
import { agentStatus } from '../../usecases/agent-status';
import type { OpsDeps } from './ops-deps';

/**
 * How the event names an agent no one has heard from: with no heartbeat record at all there is no id to name
 * (the agent sets its own), yet a job waits on one — the worst case of offline, so it is told all the same.
 */
export const NEVER_REPORTED_AGENT = '(never reported)';

/**
 * A host's step went silent (the engine's heartbeat timeout): tell people about every relay agent whose own
 * heartbeats stopped too, since no rollout can go on without one — or, when no agent ever sent a heartbeat,
 * that none is there. The text names the last heartbeat, not the host, so the other hosts of the job that time
 * out on the same outage raise the same event (delivered once). Returns the agents found offline.
 */
export async function reportOfflineAgents(deps: OpsDeps, job: Job): Promise<string[]> {
  const agents = await agentStatus(deps.store, deps.clock);
  if (agents.length === 0) {
    await deps.notifier.notify({
      kind: 'agent_offline',
      agentId: NEVER_REPORTED_AGENT,
      detail: `no relay agent has ever sent a heartbeat, and job ${job.id} waits on one; its hosts stopped reporting progress (is the agent installed and running, with its queue credentials?)`,
    });
    return [NEVER_REPORTED_AGENT];
  }
  const offline = agents.filter((a) => !a.online);
  for (const a of offline)
    await deps.notifier.notify({
      kind: 'agent_offline',
      agentId: a.agentId,
      detail: `no heartbeat since ${a.lastSeen} while job ${job.id} runs; its hosts stopped reporting progress`,
    });
  return offline.map((a) => a.agentId);
}
