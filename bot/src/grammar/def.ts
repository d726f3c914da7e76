import { z } from 'zod';
import type { Role } from '../config';

/** A name as typed in chat: inventory names, ids, datastores. */
export const name = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[\w.:@/-]+$/, 'letters, digits and . _ : @ / - only');

/** One chat command: its usage (the grammar, see usage.ts), help text, role and argument schema. */
export interface Def<S extends z.ZodType> {
  usage: string;
  summary: string;
  examples: string[];
  role: Role;
  args: S;
  /** Shown by `help COMMAND`. */
  details?: string;
  /** Declared so help lists it, but not built yet: it says so instead of doing anything. */
  unavailable?: true;
}

export const def = <S extends z.ZodType>(d: Def<S>): Def<S> => d;
export const none = z.object({});
