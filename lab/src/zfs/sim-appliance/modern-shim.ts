import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shim's source, run by node as is (no build step). */
export const ZFS_SHIM = fileURLToPath(new URL('./zfs-shim.mjs', import.meta.url));

export interface SimulatedModernCli {
  /** The sshd `ForceCommand`: runs the client's command with the shim as `zfs`. */
  readonly forceCommand: string;
  /** Where the shim keeps partially-received streams and their resume tokens, one set per dataset. */
  readonly stateDir: string;
}

/**
 * A "modern" appliance on zfs-fuse: the lab's sshd runs every command of that site with a `zfs` that answers
 * like OpenZFS 2.x (resumable receive, `send -t`, `send -nvP`) and passes the rest to zfs-fuse (zfs-shim.mjs).
 * The agent cannot tell it from a modern appliance by its CLI, which is the point: zfs-fuse exercises the
 * agent's old path, this site its modern one.
 */
export async function prepareSimulatedModernCli(dir: string): Promise<SimulatedModernCli> {
  const bin = join(dir, 'bin');
  const stateDir = join(dir, 'state');
  await mkdir(bin, { recursive: true, mode: 0o700 });
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const zfs = join(bin, 'zfs');
  await writeFile(
    zfs,
    `#!/bin/sh\nRACKOPS_SHIM_STATE='${stateDir}' exec '${process.execPath}' '${ZFS_SHIM}' "$@"\n`,
  );
  await chmod(zfs, 0o755);
  const forceCommand = join(dir, 'session.sh');
  // sshd hands the client's command over in SSH_ORIGINAL_COMMAND; it runs as it would on the appliance.
  await writeFile(
    forceCommand,
    `#!/bin/sh\nPATH='${bin}':/usr/sbin:/usr/bin:/sbin:/bin\nexport PATH\nexec /bin/sh -c "$SSH_ORIGINAL_COMMAND"\n`,
  );
  await chmod(forceCommand, 0o755);
  return { forceCommand, stateDir };
}
