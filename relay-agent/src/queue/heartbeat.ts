import type { Clock } from '@rackops/core/ports/clock.port';
import type { ResultSink } from '@rackops/core/ports/command-queue.port';
import type { Logger } from 'pino';
import type { InFlight } from '../protocol/command-processor';
import { AGENT_VERSION } from '../version';

/** Sends `agent-heartbeat` now and every `seconds`, so chat can tell whether the agent is online. */
export function startHeartbeat(o: {
  agentId: string;
  seconds: number;
  sink: ResultSink;
  clock: Clock;
  log: Logger;
  inFlight: () => InFlight[];
}): { stop(): void } {
  const startedAt = Date.now();
  const beat = () =>
    o.sink
      .send({
        type: 'agent-heartbeat',
        v: 1,
        agentId: o.agentId,
        version: AGENT_VERSION,
        at: o.clock.now().toISOString(),
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        inFlight: o.inFlight(),
      })
      .catch((err: Error) => o.log.warn({ err: err.message }, 'heartbeat failed'));
  void beat();
  const timer = setInterval(beat, o.seconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
