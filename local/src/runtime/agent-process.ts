import { firstLine, killChild, stopChild, tsProcess } from './child-process';
import type { InProcessAgentOptions } from './in-process-agent';

export interface AgentProcess {
  readonly pid: number;
  /** Graceful stop (SIGTERM): in-flight commands get their grace period. */
  stop(): Promise<void>;
  /** A real crash (SIGKILL): the process is gone at once, its ledger left as it was. */
  crash(): Promise<void>;
}

/** The relay agent (same wiring as the local stack's in-process one) in a process of its own. */
export async function startAgentProcess(opts: Omit<InProcessAgentOptions, 'logger'>): Promise<AgentProcess> {
  const child = tsProcess('local/src/runtime/agent-main.ts', [], 'pipe');
  child.stdin?.end(JSON.stringify(opts));
  try {
    await firstLine(child, 'the relay agent');
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { pid: child.pid ?? -1, stop: () => stopChild(child), crash: () => killChild(child) };
}
