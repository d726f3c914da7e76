import { z } from 'zod';

/**
 * A Server Configuration Profile as iDRAC exports it in JSON (`ExportFormat: JSON`): components named by FQDD,
 * each a list of attributes. Values are kept as iDRAC's strings; extra keys ("Set On Import", "Comment") are
 * ignored because a restore and a diff depend only on name and value.
 */
export const ScpAttribute = z.object({
  Name: z.string().min(1).max(200),
  Value: z
    .union([z.string(), z.number(), z.boolean(), z.null()])
    .transform((v) => (v === null ? '' : String(v))),
});

export const ScpComponent = z.object({
  FQDD: z.string().min(1).max(200),
  Attributes: z.array(ScpAttribute).default([]),
  /** Nested components (RAID virtual disks under a controller); flattened by `flattenProfile`. */
  get Components() {
    return z.array(ScpComponent).optional();
  },
});
export type ScpComponent = z.infer<typeof ScpComponent>;

export const ScpProfile = z.object({
  SystemConfiguration: z.object({
    Model: z.string().min(1).max(200),
    ServiceTag: z.string().min(1).max(64),
    TimeStamp: z.string().max(100).optional(),
    Components: z.array(ScpComponent),
  }),
});
export type ScpProfile = z.infer<typeof ScpProfile>;

/** FQDD -> attribute name -> value. */
export type ScpAttributeMap = Map<string, Map<string, string>>;

export class ScpProfileError extends Error {
  override name = 'ScpProfileError';
}

/** Parses an exported JSON profile; a profile that is not one is a clear error, not a partial result. */
export function parseProfile(text: string): ScpProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ScpProfileError('the profile is not JSON (only JSON exports can be compared or restored)');
  }
  const r = ScpProfile.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ScpProfileError(
      `the profile is not a Server Configuration Profile: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return r.data;
}

/** The profile as FQDD -> attributes, nested components included (a later duplicate wins, as on import). */
export function flattenProfile(p: ScpProfile): ScpAttributeMap {
  const out: ScpAttributeMap = new Map();
  const walk = (cs: readonly ScpComponent[]) => {
    for (const c of cs) {
      const attrs = out.get(c.FQDD) ?? new Map<string, string>();
      for (const a of c.Attributes) attrs.set(a.Name, a.Value);
      out.set(c.FQDD, attrs);
      if (c.Components) walk(c.Components);
    }
  };
  walk(p.SystemConfiguration.Components);
  return out;
}
