import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What the bench asks the sync worker (sync-worker.ts) over IPC, and what it answers. */
export type WorkerRequest =
  | { op: 'begin' }
  | { op: 'job'; vcId: string }
  | { op: 'page'; page: Record<string, unknown>; commandId: string; jobId: string }
  | { op: 'end' };

export type WorkerReply =
  | { op: 'ready' }
  | { op: 'begin'; requests: number }
  | { op: 'job'; jobId: string }
  | { op: 'page'; items: number; written: number; gone: number; warnings: number }
  | { op: 'end'; requests: number; heapBeforeMiB: number; heapPeakMiB: number; heapAfterMiB: number };

type ReplyOf<O extends WorkerRequest['op']> = Extract<WorkerReply, { op: O }>;

export interface SyncWorker {
  readonly pid: number;
  ask<R extends WorkerRequest>(req: R): Promise<ReplyOf<R['op']>>;
  stop(): Promise<void>;
}

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Forks sync-worker.ts (tsx) against `endpoint`; resolves once its Store is migrated. */
export async function startSyncWorker(endpoint: string, tableName: string): Promise<SyncWorker> {
  const child: ChildProcess = fork(
    fileURLToPath(new URL('./sync-worker.ts', import.meta.url)),
    [endpoint, tableName],
    {
      cwd: root,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const waiting = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.on('message', (m: { id: number; reply?: WorkerReply; error?: string }) => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.error !== undefined) w.reject(new Error(`sync worker: ${m.error}`));
    else w.resolve(m.reply as WorkerReply);
  });
  child.once('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`sync worker exited (${code})`));
    waiting.clear();
  });
  await new Promise<void>((resolve, reject) => {
    waiting.set(0, { resolve: () => resolve(), reject });
  });
  return {
    pid: child.pid as number,
    ask: (req) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve: resolve as (r: WorkerReply) => void, reject });
        child.send({ id, req });
      }),
    async stop() {
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
