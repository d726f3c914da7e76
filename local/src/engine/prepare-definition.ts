import { z } from 'zod';

/** Largest delay setTimeout honours (2^31-1 ms); larger values fire at once. */
const MAX_TIMER_SECONDS = 2_147_483;

/** What the engine needs to know about one Task state, collected before running. */
export interface TaskStateInfo {
  name: string;
  resource: string;
  /** Scaled, in ms. */
  heartbeatMs?: number;
  /** Scaled, in ms (what the library enforces as States.Timeout). */
  timeoutMs?: number;
  topLevel: boolean;
}

export interface PreparedDefinition {
  /** The definition handed to aws-local-stepfunctions: Task timeouts scaled, heartbeats removed (we enforce them). */
  runnable: Record<string, unknown>;
  tasks: Map<string, TaskStateInfo>;
  topLevelStates: Set<string>;
  waitOverrides: Record<string, number>;
  retryOverrides: Record<string, number[]>;
}

export class DefinitionError extends Error {
  override name = 'DefinitionError';
}

const StateShape = z.looseObject({ Type: z.string() });
const MachineShape = z.looseObject({ StartAt: z.string(), States: z.record(z.string(), StateShape) });
type State = z.infer<typeof StateShape>;
type Machine = z.infer<typeof MachineShape>;

export interface PrepareOptions {
  /** Multiplies every duration. @default 1 */
  timeScale?: number;
  /**
   * Lowest scaled HeartbeatSeconds / TimeoutSeconds, in real ms. Scaling compresses device time, but the
   * path a heartbeat takes (agent -> queue -> result handler -> Store -> engine) runs in real time.
   * @default 0
   */
  minHeartbeatMs?: number;
  minTimeoutMs?: number;
}

/**
 * Rewrites an ASL definition for the local engine. aws-local-stepfunctions keys its overrides by state name,
 * so names must be unique across the whole definition (nested Map/Parallel states included); it defaults a
 * Task's timeout to 60 s where AWS has none, and it knows no HeartbeatSeconds: we set the timeouts ourselves.
 * `timeScale` multiplies every duration (the lab's convention: 1/60 runs an hour in a minute).
 */
export function prepareDefinition(
  definition: object,
  options: PrepareOptions | number = {},
): PreparedDefinition {
  const opts = typeof options === 'number' ? { timeScale: options } : options;
  const timeScale = opts.timeScale ?? 1;
  const root = MachineShape.parse(structuredClone(definition));
  const out: PreparedDefinition = {
    runnable: root,
    tasks: new Map(),
    topLevelStates: new Set(Object.keys(root.States)),
    waitOverrides: {},
    retryOverrides: {},
  };
  const seen = new Set<string>();
  const scaleMs = (seconds: number) => Math.max(1, Math.round(seconds * 1000 * timeScale));

  const visit = (machine: Machine, topLevel: boolean) => {
    for (const [name, state] of Object.entries(machine.States)) {
      if (seen.has(name)) {
        throw new DefinitionError(
          `state name "${name}" is used twice; the local engine needs unique state names`,
        );
      }
      seen.add(name);
      if (state.Type === 'Task') out.tasks.set(name, rewriteTask(name, state, topLevel, scaleMs, opts));
      if (state.Type === 'Wait' && typeof state.Seconds === 'number' && timeScale !== 1) {
        out.waitOverrides[name] = scaleMs(state.Seconds);
      }
      if (Array.isArray(state.Retry) && timeScale !== 1) {
        // Overrides replace the backoff with a fixed interval per retrier: good enough at a compressed time scale.
        out.retryOverrides[name] = state.Retry.map((r: { IntervalSeconds?: number }) =>
          scaleMs(r.IntervalSeconds ?? 1),
        );
      }
      for (const nested of nestedMachines(state)) visit(MachineShape.parse(nested), false);
    }
  };
  visit(root, true);
  if (typeof root.TimeoutSeconds === 'number') {
    root.TimeoutSeconds = Math.min(MAX_TIMER_SECONDS, root.TimeoutSeconds * timeScale);
  }
  return out;
}

function rewriteTask(
  name: string,
  state: State,
  topLevel: boolean,
  scaleMs: (s: number) => number,
  floors: PrepareOptions,
): TaskStateInfo {
  if (typeof state.Resource !== 'string') throw new DefinitionError(`Task state "${name}" has no Resource`);
  const info: TaskStateInfo = { name, resource: state.Resource, topLevel };
  if (typeof state.HeartbeatSeconds === 'number') {
    info.heartbeatMs = Math.max(scaleMs(state.HeartbeatSeconds), floors.minHeartbeatMs ?? 0);
  }
  if (typeof state.HeartbeatSecondsPath === 'string') {
    throw new DefinitionError(`Task state "${name}": HeartbeatSecondsPath is not supported locally`);
  }
  delete state.HeartbeatSeconds;
  if (typeof state.TimeoutSeconds === 'number') {
    info.timeoutMs = Math.max(scaleMs(state.TimeoutSeconds), floors.minTimeoutMs ?? 0);
    state.TimeoutSeconds = info.timeoutMs / 1000;
  } else if (state.TimeoutSecondsPath === undefined) {
    // AWS Task states have no default timeout; the library would otherwise impose 60 s.
    state.TimeoutSeconds = MAX_TIMER_SECONDS;
  }
  return info;
}

function nestedMachines(state: State): unknown[] {
  const found: unknown[] = [];
  if (state.Type === 'Map') found.push(state.ItemProcessor ?? state.Iterator);
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) found.push(...state.Branches);
  return found.filter((m) => m !== undefined);
}
