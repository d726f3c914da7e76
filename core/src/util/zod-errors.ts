import type { z } from 'zod';
import { ValidationError } from './errors';

/** Parse or throw a ValidationError whose message names the bad fields. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map(
    (i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`,
  );
  throw new ValidationError(`invalid ${what}: ${issues.join('; ')}`, issues);
}
