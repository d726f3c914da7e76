import { z } from 'zod';
import { ValidationError } from './errors';

/** Keys that would reach an object's prototype when copied or marshalled; never data RackOps takes in. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Throws a ValidationError naming the first `__proto__` / `constructor` / `prototype` key, at any depth. */
export function assertNoPrototypeKeys(input: unknown, what: string): void {
  const seen = new WeakSet<object>();
  const walk = (value: unknown, path: string[]): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    for (const key of Object.keys(value)) {
      const at = [...path, key];
      if (PROTOTYPE_KEYS.has(key)) {
        const issue = `${at.join('.')}: the key "${key}" is not allowed`;
        throw new ValidationError(`invalid ${what}: ${issue}`, [issue]);
      }
      walk((value as Record<string, unknown>)[key], at);
    }
  };
  walk(input, []);
}

/** One `path: message` line per issue, the root named `(root)`. */
export function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

/** Parse or throw a ValidationError whose message names the bad fields. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  assertNoPrototypeKeys(input, what);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = issuesOf(result.error);
  throw new ValidationError(`invalid ${what}: ${issues.join('; ')}`, issues);
}

/**
 * A raw ZodError (a schema parsed deep inside an op) as the ValidationError it is, with the field paths; any
 * other error as it was.
 */
export function asValidationError(err: unknown, what: string): unknown {
  if (err instanceof z.ZodError) {
    const issues = issuesOf(err);
    return new ValidationError(`invalid ${what}: ${issues.join('; ')}`, issues);
  }
  return err;
}

/** Wraps a handler so no raw ZodError leaves it: callers (and the ASL's Catch) see a ValidationError. */
export function withValidationErrors<A extends unknown[], R>(
  what: string,
  fn: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw asValidationError(err, what);
    }
  };
}
