import { ValidationError } from '@rackops/core/util/errors';
import { parseOrThrow } from '@rackops/core/util/zod-errors';
import { z } from 'zod';
import { remoteCommand, type ZfsCall, zfsArgv } from './zfs-argv';

/** An absolute path on the source appliance: no space, quote, `$`, `;` or `..` (it becomes an ssh option). */
const AppliancePath = z
  .string()
  .max(240)
  .regex(/^\/[A-Za-z0-9_.@/-]*$/, 'an absolute path of letters, digits and _ . @ / -')
  .refine((p) => !p.split('/').includes('..'), 'no `..` in the path');

/**
 * How the source appliance reaches the target for a direct transfer: what the source appliance's own `ssh`
 * dials, with the key and the known_hosts file (the target's pinned host key) that live on the source
 * appliance. Part of the agent's config for the pair, never of a command.
 */
export const DirectHop = z.object({
  /** The target as the source appliance sees it (a replication network may differ from the agent's). */
  host: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9][A-Za-z0-9.:_-]*$/, 'a host name or IP address (no leading -)'),
  port: z.number().int().min(1).max(65_535).default(22),
  user: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/, 'a login name'),
  /** The private key on the source appliance authorised on the target. */
  identityFile: AppliancePath,
  /** A known_hosts file on the source appliance holding the target's host key: ssh refuses any other key. */
  knownHostsFile: AppliancePath,
});
export type DirectHop = z.infer<typeof DirectHop>;
export type DirectHopInput = z.input<typeof DirectHop>;

/** POSIX single quotes around any text, a quote inside written as '\'' : for the one nested command line. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The one command line the source appliance's sshd runs for a direct transfer:
 * `zfs send … | ssh <options> -- <host> 'zfs receive …'`. Every word comes from the allow-listed argv
 * builders or the validated hop, each is quoted for the source's shell, and the receive's command line
 * (already quoted word by word for the target's shell) is quoted once more as one ssh argument. Host key
 * checking is strict against the pair's known_hosts only; no agent, no forwarding, no prompt; a dead link
 * ends the transfer within two minutes (the agent transport's stall bound).
 */
export function directPipelineCommand(input: {
  send: Extract<ZfsCall, { verb: 'send' }>;
  receive: Extract<ZfsCall, { verb: 'receive' }>;
  hop: DirectHopInput;
}): { command: string; argv: string[] } {
  const hop = parseOrThrow(DirectHop, input.hop, 'direct transfer hop');
  const sendArgv = zfsArgv(input.send);
  const recvLine = remoteCommand(zfsArgv(input.receive));
  const sshArgv = [
    'ssh',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${hop.knownHostsFile}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'ForwardAgent=no',
    '-o',
    'ClearAllForwardings=yes',
    // A target that never answers, or a link that dies mid-stream, ends the pipeline instead of holding it.
    '-o',
    'ConnectTimeout=30',
    '-o',
    'ServerAliveInterval=30',
    '-o',
    'ServerAliveCountMax=4',
    '-i',
    hop.identityFile,
    '-p',
    String(hop.port),
    '-l',
    hop.user,
    '--',
    hop.host,
  ];
  if (!recvLine.startsWith("'zfs' 'receive' "))
    throw new ValidationError('a direct transfer ends only in zfs receive');
  return {
    command: `${remoteCommand(sendArgv)} | ${remoteCommand(sshArgv)} ${shellQuote(recvLine)}`,
    argv: [...sendArgv, '|', ...sshArgv, recvLine],
  };
}
