import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabConfigInput } from '@rackops/lab/config/lab-config.schema';
import { firstLine, stopChild, tsProcess } from '@rackops/local/runtime/child-process';
import type { LabAccess } from '@rackops/local/runtime/in-process-agent';

/**
 * The bench's production-like topology: the simulated datacenter and the relay agent each in a process of their
 * own, as real devices and the on-prem agent are never on the orchestrator's event loop.
 */
export { startAgentProcess } from '@rackops/local/runtime/agent-process';

export interface ChildLab extends LabAccess {
  pid: number | undefined;
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
      pid: child.pid,
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

export interface ChildDynamo {
  endpoint: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** dynalite in a process of its own, tables in memory: DynamoDB is not on the orchestrator's event loop either. */
export async function startDynamoProcess(): Promise<ChildDynamo> {
  const child = tsProcess('bench/src/support/dynalite-main.ts', ['--memory']);
  try {
    const { endpoint } = JSON.parse(await firstLine(child, 'dynalite')) as { endpoint: string };
    return { endpoint, pid: child.pid, stop: () => stopChild(child) };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}
