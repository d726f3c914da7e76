import type { CommandKind } from '@rackops/core/relay/commands';
import type { LoopbackSshd } from '@rackops/lab/zfs/loopback-sshd';
import type { ZfsSites } from '@rackops/lab/zfs/zfs-sites';
import pino from 'pino';
import { expect } from 'vitest';
import type { CommandContext } from '../../src/commands/command-context';
import type { SshEndpoint } from '../../src/zfs/ssh-link';
import { createZfsAppliances, type ZfsAppliances } from '../../src/zfs/zfs-appliance';

/** The agent's endpoint for a lab sshd (a ZFS site, real or simulated): its own key, its host key pinned. */
export const endpointOf = (sshd: LoopbackSshd): SshEndpoint => ({
  host: sshd.host,
  port: sshd.port,
  username: sshd.username,
  privateKeyPath: sshd.clientKeyPath,
  hostKeyFingerprint: sshd.hostKeyFingerprint,
});

export interface ZfsContextOptions {
  /** The appliance the command targets; `zfs-a` unless named. */
  appliance?: string;
  /** The command's memo; a fresh one for each context unless given (a retry passes the same one). */
  memo?: Map<string, unknown>;
  progress?: CommandContext['progress'];
  /** No wait unless given: the tests' appliances answer at once. */
  sleep?: CommandContext['sleep'];
}

/**
 * Contexts for ZFS command handlers as the agent builds them, on a test clock that moves a minute a command
 * from `startIso` (snapshot names carry the time, so each command's is its own).
 */
export function zfsContexts(startIso: string) {
  let clock = Date.parse(startIso);
  return (kind: CommandKind, opts: ZfsContextOptions = {}): CommandContext => {
    clock += 60_000;
    const at = new Date(clock);
    const memo = opts.memo ?? new Map<string, unknown>();
    return {
      commandId: `cmd-${clock}`,
      kind,
      target: { type: 'zfs', id: opts.appliance ?? 'zfs-a' },
      jobId: undefined,
      signal: new AbortController().signal,
      log: pino({ level: 'silent' }),
      attempt: 1,
      pollIntervalMs: 100,
      progress: opts.progress ?? (async () => {}),
      memo: { get: <T>(k: string) => memo.get(k) as T | undefined, set: (k, v) => void memo.set(k, v) },
      sleep: opts.sleep ?? (async () => {}),
      now: () => at,
    };
  };
}

/**
 * A replicate's progress callback that cuts the link once `bytes` were sent (`drop` ends the site's SSH
 * sessions, as a link lost mid-transfer). `at()` is how far the transfer had come; 0: it ended first, uncut.
 * `droppedAt()`: when the drop was asked for (Date.now()), to bound how long the cut command took to end.
 */
export function cutAfter(bytes: number, drop: () => Promise<void> | undefined) {
  let at = 0;
  let droppedAt: number | undefined;
  return {
    onProgress: (page: Record<string, unknown> | undefined) => {
      const sent = (page?.bytes as number | undefined) ?? 0;
      if (at > 0 || sent < bytes) return;
      at = sent;
      droppedAt = Date.now();
      void drop();
    },
    at: () => at,
    droppedAt: () => droppedAt,
  };
}

/** How long a replicate may take to end after its link was cut: promptly, not at a stall timer (two minutes). */
export const CUT_ENDS_WITHIN_MS = 30_000;

/**
 * A replicate cut by `link` ends promptly with an error that says so: the target's session closed under it
 * (`transfer_cut`), or a side's command ended without success (`remote_command_failed`).
 */
export async function expectCutEnds(run: Promise<unknown>, link: ReturnType<typeof cutAfter>): Promise<void> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  const ended = Date.now();
  expect(link.at(), 'the transfer ended before the cut: nothing was cut').toBeGreaterThan(0);
  expect(err, 'the cut transfer succeeded').toBeDefined();
  expect(err).toMatchObject({ code: expect.stringMatching(/^(transfer_cut|remote_command_failed)$/) });
  expect(ended - (link.droppedAt() ?? ended), 'ms from the cut to the command ending').toBeLessThan(
    CUT_ENDS_WITHIN_MS,
  );
}

/** The short names (after `@`) of the snapshots of `dataset` and its children, oldest first. */
export const snapshotTags = async (sites: Pick<ZfsSites, 'zfs'>, dataset: string): Promise<string[]> =>
  (await sites.zfs('list', '-H', '-t', 'snapshot', '-o', 'name', '-r', dataset))
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((n) => n.split('@')[1] ?? '');

/**
 * The agent's two appliances, `zfs-a` and `zfs-b`, both on `sshd` (the sites' own, or their modern one), and a
 * new `vmstore` dataset on the source pool to replicate to the target pool's.
 */
export async function sitePairOn(
  sites: ZfsSites,
  sshd: LoopbackSshd = sites.sshd,
): Promise<{ appliances: ZfsAppliances; src: string; dst: string }> {
  const ep = endpointOf(sshd);
  const appliances = createZfsAppliances({ 'zfs-a': ep, 'zfs-b': ep });
  const src = `${sites.sourcePool}/vmstore`;
  const dst = `${sites.targetPool}/vmstore`;
  await sites.zfs('create', src);
  return { appliances, src, dst };
}
