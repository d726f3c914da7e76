import type { AwsMeter } from '../metering/aws-meter';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import type { Lab } from '@rackops/lab/index';
import type { AgentConfigInput } from '@rackops/relay-agent/config/config.schema';
import { buildAgent } from '@rackops/relay-agent/build-agent';
import { parseConfig } from '@rackops/relay-agent/config/load-config';
import type { Logger } from 'pino';

/** What the agent needs of a lab (in this process or another): its endpoints and its certificate's pin. */
export type LabAccess = Pick<Lab, 'endpoints'> & { tls: Pick<Lab['tls'], 'certSha256'> };

export interface InProcessAgentOptions {
  lab: LabAccess;
  sqsEndpoint: string;
  commandsUrl: string;
  resultsUrl: string;
  /** The agent's keys (a lone key signs as kid `default`). */
  signingKey: KeyMaterial;
  /** Where the agent keeps its ledger and SCP exports. */
  dir: string;
  /** The lab's time scale: the agent's polling and progress cadence follow it. */
  timeScale: number;
  /** Real seconds between progress messages (must stay well inside the engine's heartbeat window). */
  progressSeconds: number;
  logger: Logger;
  /** Two agents on the same queues need different ids (and dirs: each keeps its own ledger). */
  agentId?: string;
  /**
   * The commands queue's visibility timeout (seconds). Where two agents share the queue it must run out well
   * inside the workflow's heartbeat window: a command held by an agent that died goes to the other one before
   * the step fails by heartbeat. @default 30
   */
  visibilityTimeoutSeconds?: number;
  /**
   * How often the agent looks at a device while it waits. Default: six times the production agent's 5 s, scaled
   * (in one process the agent's polling competes with everything else on the event loop).
   */
  pollIntervalMs?: number;
  /** Counts the agent's SQS calls (the on-prem agent's requests are billed to the AWS account too). */
  meter?: AwsMeter;
  /**
   * Where the agent keeps SCP backups; the local stack gives its fauxqs bucket (every agent of the stack, in
   * this process or another, then sees the same backups). Absent: a folder `scp` in `dir`.
   */
  backups?: AgentConfigInput['backups'];
  /** ZFS appliances the agent reaches over SSH (the lab has none of its own: tests bring zfs-fuse sites). */
  zfs?: NonNullable<AgentConfigInput['zfs']>;
}

export interface InProcessAgent {
  readonly agentId: string;
  /** Graceful stop: in-flight commands get a short grace period. */
  stop(): Promise<void>;
  /**
   * Simulate a crash (scenarios): from now on nothing the agent does reaches the results queue — no
   * results, progress or heartbeats — and it takes no more commands. Device calls already under way may
   * still finish on the lab, as they would if the agent host died after sending them.
   */
  kill(): Promise<void>;
  readonly killed: boolean;
  /** Replace the agent's keys (what SIGHUP does to a real agent): key rotation. */
  setKeys(keys: KeyMaterial): void;
  /** Counters a scenario can read: vCenter sessions renewed after they expired (all vCenters). */
  readonly metrics: { readonly vcenterRelogins: number };
}

type LabEndpoint = { url: string; username: string; password: string; certSha256: string };

/** The agent's device inventory for a lab: every iDRAC, vCenter and OME, with credentials and certificate pins. */
export function labDevices(
  lab: Pick<Lab, 'endpoints'>,
  idracExtra: { maxSockets?: number } = {},
): AgentConfigInput['devices'] {
  const device = (e: LabEndpoint) => ({
    url: e.url,
    credentials: { username: e.username, password: e.password },
    tls: { mode: 'pin' as const, sha256: e.certSha256 },
  });
  return {
    idracs: Object.fromEntries(lab.endpoints.idracs.map((e) => [e.hostId, { ...device(e), ...idracExtra }])),
    vcenters: Object.fromEntries(lab.endpoints.vcenters.map((e) => [e.id, device(e)])),
    omes: Object.fromEntries(lab.endpoints.omes.map((e) => [e.id, device(e)])),
  };
}

/**
 * The lab serves its repository (and any test image) on loopback, which the outbound URL policy refuses unless
 * the host is allow-listed: the local stack lists exactly the lab's hosts.
 */
export function labOutboundHosts(lab: Pick<Lab, 'endpoints'>): string[] {
  const hosts = new Set(['127.0.0.1']);
  const catalog = lab.endpoints.catalogUrl;
  if (catalog) hosts.add(new URL(catalog).hostname);
  return [...hosts];
}

/** The agent's configuration for a lab: every iDRAC, vCenter and OME, credentials and certificate pins from the lab. */
export function agentConfigForLab(o: InProcessAgentOptions): AgentConfigInput {
  return {
    agentId: o.agentId ?? 'relay-local',
    ...(typeof o.signingKey === 'string'
      ? { signingKey: o.signingKey }
      : { signingKeys: o.signingKey.keys, activeKid: o.signingKey.activeKid }),
    queues: {
      commandsUrl: o.commandsUrl,
      resultsUrl: o.resultsUrl,
      region: 'us-east-1',
      endpoint: o.sqsEndpoint,
      waitTimeSeconds: 1, // short polls so stop() is quick
      visibilityTimeoutSeconds: o.visibilityTimeoutSeconds ?? 30,
    },
    heartbeatSeconds: 10,
    progressSeconds: o.progressSeconds,
    pollIntervalMs: o.pollIntervalMs ?? Math.max(25, Math.round(5000 * o.timeScale * 6)),
    shutdownGraceSeconds: 2,
    ledgerPath: join(o.dir, 'ledger.sqlite'),
    metrics: { port: null },
    logLevel: 'warn',
    repository: { tls: { mode: 'pin', sha256: o.lab.tls.certSha256 }, hosts: labOutboundHosts(o.lab) },
    media: { allowHosts: labOutboundHosts(o.lab) },
    devices: labDevices(o.lab),
    ...(o.zfs ? { zfs: o.zfs } : {}),
    ...(o.backups ? { backups: o.backups } : {}),
  };
}

/** The relay agent, wired like its main.ts but in this process, against the lab and the local SQS. */
export function startInProcessAgent(o: InProcessAgentOptions): InProcessAgent {
  mkdirSync(o.dir, { recursive: true });
  const config = parseConfig(agentConfigForLab(o));
  let dead = false;
  let keys: KeyMaterial = o.signingKey;
  let vcenterRelogins = 0;
  const built = buildAgent({
    config,
    keys: () => keys,
    log: o.logger,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...(o.meter
      ? { onSqsClient: (sqs) => o.meter?.attach(sqs), onS3Client: (s3) => o.meter?.attach(s3) }
      : {}),
    wrapSink: (real) => ({
      send: async (message) => {
        if (!dead) await real.send(message);
      },
    }),
    onVcenterRelogin: () => {
      vcenterRelogins++;
    },
  });
  built.agent.start();
  let stopped: Promise<void> | undefined;
  const handle: InProcessAgent = {
    agentId: config.agentId,
    get killed() {
      return dead;
    },
    metrics: {
      get vcenterRelogins() {
        return vcenterRelogins;
      },
    },
    setKeys(next) {
      keys = next;
    },
    async kill() {
      dead = true;
      await handle.stop();
    },
    stop() {
      stopped ??= built.stop(2000);
      return stopped;
    },
  };
  return handle;
}
