import { join } from 'node:path';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import { HEARTBEAT } from '@rackops/core/workflows/timing';
import type { Lab } from '@rackops/lab/index';
import type { Logger } from 'pino';
import type { AwsMeter } from '../metering/aws-meter';
import {
  type InProcessAgent,
  type InProcessAgentOptions,
  type LabAccess,
  startInProcessAgent,
} from '../runtime/in-process-agent';
import type { InventorySource } from '../runtime/inventory-at-start';
import type { StartedParts } from './parts';
import type { StandIns } from './stand-ins';

/** Progress doubles as the heartbeat: several per heartbeat window, at most one per 5 s. */
export function agentProgressSeconds(timeScale: number, minHeartbeatMs: number): number {
  return Math.min(5, Math.max(HEARTBEAT * 1000 * timeScale, minHeartbeatMs) / 1000 / 4);
}

/**
 * The commands queue's visibility timeout for agents that may be paired: a third of the heartbeat window (5 to
 * 30 s), so a command whose agent died reaches the other agent, and reports progress, before its step's
 * heartbeat runs out (in AWS: 2 min against 30 min).
 */
export function agentVisibilitySeconds(timeScale: number, minHeartbeatMs: number): number {
  const window = Math.max(HEARTBEAT * 1000 * timeScale, minHeartbeatMs) / 1000;
  return Math.min(30, Math.max(5, Math.floor(window / 3)));
}

export interface LocalAgentInput {
  lab: Lab;
  standIns: StandIns;
  signingKey: KeyMaterial;
  dataDir: string;
  timeScale: number;
  progressSeconds: number;
  log: Logger;
  meter?: AwsMeter;
  zfs?: InProcessAgentOptions['zfs'];
}

/** The relay agent in this process, on the relay queues, against the lab's devices. */
export function startLocalAgent(i: LocalAgentInput, parts: StartedParts): InProcessAgent {
  const agent = startInProcessAgent({
    lab: i.lab,
    sqsEndpoint: i.standIns.sqs.endpoint,
    commandsUrl: i.standIns.relayQueues.commandsQueueUrl,
    resultsUrl: i.standIns.relayQueues.resultsQueueUrl,
    backups: i.standIns.backups,
    signingKey: i.signingKey,
    dir: join(i.dataDir, 'relay'),
    timeScale: i.timeScale,
    progressSeconds: i.progressSeconds,
    logger: i.log.child({ part: 'agent' }),
    ...(i.meter ? { meter: i.meter } : {}),
    ...(i.zfs ? { zfs: i.zfs } : {}),
  });
  parts.add(() => agent.stop());
  return agent;
}

/** The lab's inventory sources: its vCenters and OMEs. */
export function labInventorySources(lab: LabAccess): InventorySource[] {
  return [
    ...lab.endpoints.vcenters.map((v) => ({ source: 'vcenter' as const, id: v.id })),
    ...lab.endpoints.omes.map((o) => ({ source: 'ome' as const, id: o.id })),
  ];
}
