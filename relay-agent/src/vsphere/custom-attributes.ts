import type { z } from 'zod';
import type { ClusterFacts } from './vsphere-inventory';

/**
 * The vCenter custom attribute that marks a cluster production (four-eyes approval in the bot). Set it in the
 * vSphere Client (cluster → Custom Attributes) to `true`; the deployment's PRODUCTION_CLUSTERS can add more.
 */
export const PRODUCTION_ATTRIBUTE = 'rackops.production';

/** Custom attributes set on an entity, by name: `customValue` holds keys, `availableField` their names. */
export function customAttributes(
  facts: Pick<z.infer<typeof ClusterFacts>, 'availableField' | 'customValue'>,
) {
  const names = new Map((facts.availableField ?? []).map((f) => [f.key, f.name]));
  const out = new Map<string, string>();
  for (const v of facts.customValue ?? []) {
    const name = names.get(v.key);
    if (name !== undefined) out.set(name, v.value ?? '');
  }
  return out;
}

/** True only for an explicit yes: a typo or an empty value must not look like a decision either way. */
export function markedProduction(facts: Parameters<typeof customAttributes>[0]): boolean {
  return /^(true|yes|1)$/i.test(customAttributes(facts).get(PRODUCTION_ATTRIBUTE)?.trim() ?? '');
}
