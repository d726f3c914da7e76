import { type ScpProfile, flattenProfile } from './profile.schema';

export interface AttributeChange {
  name: string;
  from: string;
  to: string;
}

/** What changed in one component (FQDD) going from profile `a` to profile `b`. */
export interface ComponentDiff {
  fqdd: string;
  changed: AttributeChange[];
  added: Array<{ name: string; value: string }>;
  removed: Array<{ name: string; value: string }>;
}

export interface ProfileDiff {
  components: ComponentDiff[];
  /** Attributes changed + added + removed, over all components. */
  total: number;
}

const byName = <T extends { name: string }>(x: T, y: T) => x.name.localeCompare(y.name);

/**
 * The attribute-level difference from `a` to `b`, per component; components and attributes sorted so that the
 * same two profiles always read the same. Identity fields (model, tag, time stamp) are not attributes.
 */
export function diffProfiles(a: ScpProfile, b: ScpProfile): ProfileDiff {
  const fa = flattenProfile(a);
  const fb = flattenProfile(b);
  const fqdds = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  const components: ComponentDiff[] = [];
  let total = 0;
  for (const fqdd of fqdds) {
    const ca = fa.get(fqdd) ?? new Map<string, string>();
    const cb = fb.get(fqdd) ?? new Map<string, string>();
    const d: ComponentDiff = { fqdd, changed: [], added: [], removed: [] };
    for (const [name, from] of ca) {
      const to = cb.get(name);
      if (to === undefined) d.removed.push({ name, value: from });
      else if (to !== from) d.changed.push({ name, from, to });
    }
    for (const [name, value] of cb) if (!ca.has(name)) d.added.push({ name, value });
    const n = d.changed.length + d.added.length + d.removed.length;
    if (n === 0) continue;
    d.changed.sort(byName);
    d.added.sort(byName);
    d.removed.sort(byName);
    components.push(d);
    total += n;
  }
  return { components, total };
}

/**
 * What importing `wanted` onto a host now at `current` would change: attributes of `wanted` whose value differs
 * (or that the host lacks). Attributes only the host has are not touched by an import, so they are left out.
 */
export function restoreDiff(current: ScpProfile, wanted: ScpProfile): ProfileDiff {
  const d = diffProfiles(current, wanted);
  const components = d.components
    .map((c) => ({ ...c, removed: [] }))
    .filter((c) => c.changed.length + c.added.length > 0);
  return { components, total: components.reduce((n, c) => n + c.changed.length + c.added.length, 0) };
}
