import { z } from 'zod';
import type { Clock } from '../ports/clock.port';
import type { RecordReader } from '../ports/record-store.port';

/** Record type the relay agent's heartbeats are stored under (one record per agent id). */
export const AGENT_HEARTBEAT_TYPE = 'agent-heartbeat';

const Heartbeat = z
  .object({
    at: z.string().optional(),
    version: z.string().optional(),
    hostname: z.string().optional(),
    inFlight: z.array(z.object({ kind: z.string(), target: z.string() }).loose()).optional(),
  })
  .loose();

export interface AgentStatus {
  agentId: string;
  lastSeen: string;
  online: boolean;
  secondsAgo: number;
  version?: string;
  /** What the agent was running at its last heartbeat (`kind target`), when it said. */
  inFlight?: string[];
}

/** An agent is online when its last heartbeat is recent; the record's own time is the fallback. */
export async function agentStatus(
  store: RecordReader,
  clock: Clock,
  staleAfterSeconds = 90,
): Promise<AgentStatus[]> {
  const now = clock.now().getTime();
  const page = await store.listRecordsByType<unknown>(AGENT_HEARTBEAT_TYPE, { limit: 100 });
  return page.items.map((rec) => {
    const hb = Heartbeat.safeParse(rec.data);
    const lastSeen = (hb.success && hb.data.at) || rec.updatedAt;
    const secondsAgo = Math.max(0, Math.round((now - new Date(lastSeen).getTime()) / 1000));
    return {
      agentId: rec.id,
      lastSeen,
      online: secondsAgo <= staleAfterSeconds,
      secondsAgo,
      ...(hb.success && hb.data.version ? { version: hb.data.version } : {}),
      ...(hb.success && hb.data.inFlight
        ? { inFlight: hb.data.inFlight.map((c) => `${c.kind} ${c.target}`) }
        : {}),
    };
  });
}
