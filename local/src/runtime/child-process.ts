import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** A TypeScript entry point of this repository in a node process of its own (stdout piped, stderr inherited). */
export function tsProcess(
  script: string,
  args: string[],
  stdin: 'ignore' | 'pipe' = 'ignore',
  /** Flags for `node` itself (e.g. `--cpu-prof`). */
  nodeFlags: readonly string[] = [],
  /** Another `node` binary than this process's (the bench runs the bot on the functions' Node release). */
  node: string = process.execPath,
): ChildProcess {
  return spawn(node, [...nodeFlags, '--import', 'tsx', join(root, script), ...args], {
    cwd: root,
    stdio: [stdin, 'pipe', 'inherit'],
  });
}

/** The first stdout line, or the process's exit as an error. */
export function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready`)));
  });
}

export const hasExited = (child: ChildProcess): boolean =>
  child.exitCode !== null || child.signalCode !== null;

/** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** SIGKILL: no handler runs, nothing is flushed — how a production process dies in a crash. */
export async function killChild(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGKILL');
  await exited;
}
