import type { SnapshotInfo } from '@rackops/core/replication/replication-plan';
import type { ZfsFeatures } from '@rackops/core/relay/zfs-commands';
import { RackOpsError } from '@rackops/core/util/errors';
import type { ClientChannel } from 'ssh2';
import { type DirectHopInput, directPipelineCommand } from './direct-hop';
import { type ZfsCall, remoteCommand, zfsArgv } from './zfs-argv';
import { collect, openSshLink, RemoteCommandError, type SshEndpoint, type SshLink } from './ssh-link';

/** One SSH connection to an appliance, for one command's work; every call goes through the allow-list. */
export interface ZfsSession {
  run(call: ZfsCall): Promise<string>;
  /** Start a streaming call (send, receive); the caller reads or writes the channel. */
  open(call: ZfsCall): Promise<{ channel: ClientChannel; argv: string[] }>;
  /** Start `zfs send | ssh <hop> zfs receive` on this appliance (see directPipelineCommand). */
  openDirect(
    input: Parameters<typeof directPipelineCommand>[0],
  ): Promise<{ channel: ClientChannel; argv: string[] }>;
  snapshots(dataset: string): Promise<SnapshotInfo[] | undefined>;
  close(): void;
}

export interface ZfsAppliance {
  readonly id: string;
  connect(): Promise<ZfsSession>;
  /** How this appliance's own ssh reaches another appliance for a direct transfer, when configured. */
  directHop(targetId: string): DirectHopInput | undefined;
  /** Detected once per agent run and cached: an appliance's CLI does not change under a running agent. */
  features(): Promise<ZfsFeatures>;
}

export class UnknownApplianceError extends RackOpsError {
  constructor(id: string) {
    super('unknown_target', `no ZFS appliance "${id}" in this agent's configuration`);
  }
}

function parseSnapshots(text: string): SnapshotInfo[] {
  const byName = new Map<string, { guid?: string; createtxg?: number }>();
  for (const line of text.split('\n')) {
    const [name, property, value] = line.split('\t');
    if (!name || !value || !name.includes('@')) continue;
    const entry = byName.get(name) ?? {};
    if (property === 'guid') entry.guid = value;
    if (property === 'createtxg') entry.createtxg = Number(value);
    byName.set(name, entry);
  }
  const out: SnapshotInfo[] = [];
  for (const [name, e] of byName) {
    if (e.guid === undefined || e.createtxg === undefined || !Number.isFinite(e.createtxg)) continue;
    out.push({ tag: name.slice(name.indexOf('@') + 1), guid: e.guid, createtxg: e.createtxg });
  }
  return out.sort((a, b) => a.createtxg - b.createtxg);
}

/** What the CLI's own usage text says it can do; `zfs help` is not a command on old CLIs but prints it. */
export function featuresFromUsage(usage: string, version: string | undefined): ZfsFeatures {
  const flags = (verb: string) => {
    const m = new RegExp(`^\\s*${verb} \\[-([A-Za-z]+)\\]`, 'm').exec(usage);
    return m?.[1] ?? '';
  };
  const sizeEstimate = flags('send').includes('n');
  const sendProgress = flags('send').includes('v') && flags('send').includes('P');
  return {
    version: version ?? 'legacy',
    holds: /^\s*hold \[/m.test(usage),
    bookmarks: /^\s*bookmark /m.test(usage),
    resumableReceive: flags('receive').includes('s') && /^\s*send .*-t /m.test(usage),
    rawSend: flags('send').includes('w'),
    sizeEstimate,
    sendProgress,
    // A dry run needs `-n` and `-v` (which prints the estimate); `-P` makes it one parsable number.
    estimateMethod:
      !sizeEstimate || !flags('send').includes('v') ? 'referenced' : sendProgress ? 'send -nvP' : 'send -nv',
  };
}

const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
]);

/** An appliance's SSH endpoint and its direct hops, by target appliance id. */
export type ApplianceEndpoint = SshEndpoint & { direct?: Record<string, DirectHopInput> };

export function createZfsAppliance(id: string, endpoint: ApplianceEndpoint): ZfsAppliance {
  let features: Promise<ZfsFeatures> | undefined;

  async function connect(): Promise<ZfsSession> {
    const link: SshLink = await openSshLink(endpoint).catch((err: unknown) => {
      // The operator reads this in the job's failure: name the appliance, not only the socket error.
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && NETWORK_ERRORS.has(code))
        throw new RackOpsError(
          'appliance_unreachable',
          `ZFS appliance ${id} (${endpoint.host}:${endpoint.port}) is unreachable: ${(err as Error).message}`,
          { cause: err },
        );
      throw err;
    });
    const open = async (call: ZfsCall) => {
      const argv = zfsArgv(call);
      return { channel: await link.exec(remoteCommand(argv)), argv };
    };
    const exec = async (call: ZfsCall) => {
      const { channel, argv } = await open(call);
      return { ...(await collect(channel)), argv };
    };
    return {
      open,
      openDirect: async (input) => {
        const { command, argv } = directPipelineCommand(input);
        return { channel: await link.exec(command), argv };
      },
      run: async (call) => {
        const r = await exec(call);
        if (r.exitCode !== 0) throw new RemoteCommandError(r.argv, r.exitCode, r.stderr);
        return r.stdout;
      },
      snapshots: async (dataset) => {
        const r = await exec({ verb: 'snapshots', dataset });
        if (r.exitCode !== 0) {
          if (/does not exist/.test(r.stderr)) return undefined;
          throw new RemoteCommandError(r.argv, r.exitCode, r.stderr);
        }
        return parseSnapshots(r.stdout);
      },
      close: () => link.close(),
    };
  }

  return {
    id,
    connect,
    directHop: (targetId) =>
      endpoint.direct && Object.hasOwn(endpoint.direct, targetId) ? endpoint.direct[targetId] : undefined,
    features: () => {
      features ??= (async () => {
        const s = await connect();
        try {
          const usage = await s.open({ verb: 'usage' }).then(({ channel }) => collect(channel));
          const version = await s.open({ verb: 'version' }).then(({ channel }) => collect(channel));
          const first = version.exitCode === 0 ? version.stdout.split('\n')[0]?.trim() : undefined;
          return featuresFromUsage(`${usage.stdout}\n${usage.stderr}`, first || undefined);
        } finally {
          s.close();
        }
      })().catch((err: unknown) => {
        features = undefined;
        throw err;
      });
      return features;
    },
  };
}

export interface ZfsAppliances {
  get(id: string): ZfsAppliance;
}

export function createZfsAppliances(endpoints: Record<string, ApplianceEndpoint>): ZfsAppliances {
  const made = new Map<string, ZfsAppliance>();
  return {
    get: (id) => {
      const known = made.get(id);
      if (known) return known;
      const ep = Object.hasOwn(endpoints, id) ? endpoints[id] : undefined;
      if (!ep) throw new UnknownApplianceError(id);
      const a = createZfsAppliance(id, ep);
      made.set(id, a);
      return a;
    },
  };
}
