import { z } from 'zod';

/** vim25 leaves arrive as strings; these read them as what the schema says they are. */
export const vBool = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
export const vNum = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
  z.number(),
);
/** A repeated element decodes to a value when it occurs once: always read it as a list. */
export const vList = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(item));
export const MoRef = z.object({ type: z.string(), value: z.string() });
