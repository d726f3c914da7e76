import type { z } from 'zod';
import { MalformedResponseError } from '../http/errors';

/** Validates PropertyCollector values; a wrong shape from vCenter is a typed error, not a crash. */
export function parseProps<S extends z.ZodType>(
  device: string,
  what: string,
  schema: S,
  props: unknown,
): z.infer<S> {
  const r = schema.safeParse(props);
  if (!r.success) {
    const detail = r.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new MalformedResponseError(`${device} ${what}`, detail);
  }
  return r.data;
}
