import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LabConfigInput } from '@rackops/lab/config/lab-config.schema';
import type { InProcessAgentOptions, LabAccess } from '@rackops/local/runtime/in-process-agent';

/**
 * The bench's production-like topology: the simulated datacenter and the relay agent each in a process of their
 * own, as real devices and the on-prem agent are never on the orchestrator's event loop.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));

function tsProcess(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(root, script), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** The first stdout line, or the process's exit as an error. */
function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export interface ChildLab extends LabAccess {
  stop(): Promise<void>;
}

/** `npm run lab` with this config and time scale; its endpoints from the line it prints. */
export async function startLabProcess(config: LabConfigInput, timeScale: number): Promise<ChildLab> {
  const dir = mkdtempSync(join(tmpdir(), 'rackops-bench-lab-'));
  const file = join(dir, 'lab.json');
  writeFileSync(file, JSON.stringify(config));
  const child = tsProcess('lab/src/cli.ts', ['--config', file, '--time-scale', String(timeScale)]);
  try {
    const endpoints = JSON.parse(await firstLine(child, 'the lab')) as LabAccess['endpoints'];
    // One self-signed certificate serves the whole lab.
    const certSha256 = endpoints.idracs[0]?.certSha256 ?? '';
    return {
      endpoints,
      tls: { certSha256 },
      stop: async () => {
        await stopChild(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The relay agent (same wiring as the local stack's in-process one) in a process of its own. */
export async function startAgentProcess(
  opts: Omit<InProcessAgentOptions, 'logger'>,
): Promise<{ stop(): Promise<void> }> {
  const child = tsProcess('bench/src/support/agent-main.ts', [JSON.stringify(opts)]);
  try {
    await firstLine(child, 'the relay agent');
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { stop: () => stopChild(child) };
}
