import { z } from 'zod';
import { BoundedId } from '../util/ids';

export const StepKey = z.string().min(1).max(200);
export const StepName = z.string().max(200);

/**
 * The step a workflow state names: its key, display name, the host it belongs to and the batch it sorts in.
 * The one shape the dispatch payload, the relay-command record and JobOps step writes share.
 */
export const StepRef = z.object({
  key: StepKey,
  name: StepName,
  hostId: BoundedId.optional(),
  batchIndex: z.number().int().nonnegative().optional(),
});
export type StepRef = z.infer<typeof StepRef>;

/**
 * The parts of a host's step key, `host:<hostId>[:<part>…]`: the host's own step (its window) alone, one of
 * its sub-steps with more parts. Generic over what a variable part is (a value here, a JSONPath in ASL), so
 * the TypeScript key and the ASL `States.Format` template come from this one definition.
 */
export function hostStepParts<V>(hostId: V, ...rest: readonly (string | V)[]): (string | V)[] {
  return ['host', hostId, ...rest];
}

const SEPARATOR = ':';

/** A step key from its parts. */
export const stepKey = (parts: readonly string[]): string => parts.join(SEPARATOR);

/** Key of a host's own step (no `rest`) or of one of its sub-steps. */
export const hostStepKey = (hostId: string, ...rest: readonly string[]): string =>
  stepKey(hostStepParts(hostId, ...rest));

/** The host and the further parts of a host step key (`rest` empty for the host's own step), else undefined. */
export function parseHostStepKey(key: string): { hostId: string; rest: string[] } | undefined {
  const [head, hostId, ...rest] = key.split(SEPARATOR);
  return head === 'host' && hostId ? { hostId, rest } : undefined;
}

/** True when `key` is one of the host's sub-steps (not the host's own step). */
export const isHostSubStep = (key: string, hostId: string): boolean =>
  key.startsWith(`${hostStepKey(hostId)}${SEPARATOR}`);

/**
 * The parts of a DR VM's step key in a failover, `drvm:<name>[:<part>…]` (the VM by its name at the source: it
 * has no moref at DR before it is registered). Generic as hostStepParts is.
 */
export function drVmStepParts<V>(name: V, ...rest: readonly (string | V)[]): (string | V)[] {
  return ['drvm', name, ...rest];
}

export const drVmStepKey = (name: string, ...rest: readonly string[]): string =>
  stepKey(drVmStepParts(name, ...rest));

export const isDrVmSubStep = (key: string, name: string): boolean =>
  key.startsWith(`${drVmStepKey(name)}${SEPARATOR}`);

/** A JSONPath into the state, standing for a variable part of a key in ASL. */
export interface StatePath {
  readonly path: string;
}

/**
 * The ASL intrinsic that builds `stepKey(parts)` at run time, the paths read from the state. Literal parts
 * are code constants; one with a character States.Format treats specially is refused rather than escaped.
 */
export function stepKeyFormat(parts: readonly (string | StatePath)[]): string {
  const literal = (s: string): string => {
    if (/[{}'\\]/.test(s))
      throw new Error(`step key part ${JSON.stringify(s)} needs escaping in States.Format`);
    return s;
  };
  const template = parts.map((p) => (typeof p === 'string' ? literal(p) : '{}')).join(SEPARATOR);
  const paths = parts.flatMap((p) => (typeof p === 'string' ? [] : [p.path]));
  return `States.Format('${template}', ${paths.join(', ')})`;
}
