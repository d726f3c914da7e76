import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { RackOpsError } from '@rackops/core/util/errors';
import { Client, type ClientChannel } from 'ssh2';

/** How the agent reaches one appliance: its own config, never anything from a command. */
export interface SshEndpoint {
  host: string;
  port: number;
  username: string;
  privateKeyPath: string;
  /** The appliance's host key as `ssh-keygen -l` prints it (`SHA256:…`): pinned, like a TLS pin. */
  hostKeyFingerprint: string;
}

export class HostKeyMismatchError extends RackOpsError {
  constructor(host: string, seen: string) {
    super('host_key_mismatch', `host key of ${host} is ${seen}, not the pinned one: refused`);
  }
}

export class RemoteCommandError extends RackOpsError {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(
      'remote_command_failed',
      `${argv.slice(0, 2).join(' ')} exited ${exitCode}: ${stderr.trim().slice(0, 500)}`,
    );
  }
}

export function fingerprintOfKey(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** A key another local user can read is a key that may have leaked: refuse it, as ssh does. */
async function readPrivateKey(path: string): Promise<Buffer> {
  const s = await stat(path);
  if ((s.mode & 0o077) !== 0) {
    throw new RackOpsError(
      'key_permissions',
      `${path} is readable by others (mode ${(s.mode & 0o777).toString(8)}); chmod 600`,
    );
  }
  return readFile(path);
}

export interface SshLink {
  /** Run one command; its channel for streaming (send/receive). */
  exec(command: string): Promise<ClientChannel>;
  close(): void;
}

export async function openSshLink(ep: SshEndpoint, timeoutMs = 15_000): Promise<SshLink> {
  const privateKey = await readPrivateKey(ep.privateKeyPath);
  const client = new Client();
  let mismatch: HostKeyMismatchError | undefined;
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', (err) => reject(mismatch ?? err));
    client.connect({
      host: ep.host,
      port: ep.port,
      username: ep.username,
      privateKey,
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        const seen = fingerprintOfKey(key);
        if (seen === ep.hostKeyFingerprint) return true;
        mismatch = new HostKeyMismatchError(ep.host, seen);
        return false;
      },
    });
  });
  client.on('error', () => {});
  return {
    exec: (command) =>
      new Promise((resolve, reject) => client.exec(command, (err, ch) => (err ? reject(err) : resolve(ch)))),
    close: () => client.end(),
  };
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/**
 * The longest a non-streaming command (a listing, a property, a snapshot, a destroy) may take: one that never
 * answers — an appliance's CLI stuck on its pool — would otherwise hold the command, and the group behind it.
 */
export const REMOTE_COMMAND_TIMEOUT_MS = 600_000;

/** Collect a command's output (small outputs only: listings, properties). */
export function collect(
  ch: ClientChannel,
  maxBytes = 4 * 1024 * 1024,
  timeoutMs = REMOTE_COMMAND_TIMEOUT_MS,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      ch.close();
      reject(
        new RackOpsError(
          'remote_command_timeout',
          `the remote command did not finish within ${Math.round(timeoutMs / 1000)} s; it was closed`,
        ),
      );
    }, timeoutMs);
    ch.on('data', (d: Buffer) => {
      size += d.length;
      if (size > maxBytes) {
        clearTimeout(timer);
        ch.close();
        reject(new RackOpsError('output_too_large', `remote output over ${maxBytes} bytes`));
      } else out.push(d);
    });
    ch.stderr.on('data', (d: Buffer) => err.push(d));
    ch.on('close', (code: number | null) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code ?? null,
      });
    });
  });
}
