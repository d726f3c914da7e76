import { z } from 'zod';
import type { Actor } from '../jobs/job.schema';
import type { Store } from '../ports/store.port';
import { ValidationError } from '../util/errors';

/** Store record type of a cluster's rollout policy defaults, by cluster id. */
export const CLUSTER_POLICY_TYPE = 'cluster-policy';

/**
 * What a rollout of this cluster (`update cluster`, `update host` of one of its hosts) does when the command
 * does not say: the same three policies the chat words set. Unset = the workflow's own default.
 */
export const ClusterPolicy = z.object({
  continueOnFailure: z.boolean().optional(),
  staleJobs: z.enum(['clear', 'fail']).optional(),
  blockers: z.enum(['pause', 'skip', 'fail']).optional(),
});
export type ClusterPolicy = z.infer<typeof ClusterPolicy>;

const StoredPolicy = ClusterPolicy.extend({
  updatedAt: z.string(),
  updatedBy: z.string().max(200),
});

/** The words `cluster NAME set …` takes, with what each value may be (what a person reads on a refusal). */
const SETTINGS: Record<string, { key: keyof ClusterPolicy; values: Record<string, unknown> }> = {
  'continue-on-failure': {
    key: 'continueOnFailure',
    values: { on: true, off: false, true: true, false: false, yes: true, no: false },
  },
  'stale-jobs': { key: 'staleJobs', values: { clear: 'clear', fail: 'fail' } },
  blockers: { key: 'blockers', values: { pause: 'pause', skip: 'skip', fail: 'fail' } },
};

/** `default` unsets a policy (the workflow's own default applies again). */
export const UNSET = 'default';

/**
 * `continue-on-failure=on stale-jobs=clear blockers=default` → a patch. Every word is checked before anything
 * is kept: one bad word refuses the whole line, naming it and the values it may take.
 */
export function parsePolicyWords(words: readonly string[]): Partial<Record<keyof ClusterPolicy, unknown>> {
  if (!words.length)
    throw new ValidationError(
      `say what to set: ${Object.keys(SETTINGS)
        .map((k) => `${k}=…`)
        .join(' ')}`,
    );
  const patch: Partial<Record<keyof ClusterPolicy, unknown>> = {};
  for (const word of words) {
    const m = /^([a-z-]+)=([a-z]+)$/i.exec(word);
    const setting = m ? SETTINGS[(m[1] as string).toLowerCase()] : undefined;
    if (!m || !setting)
      throw new ValidationError(
        `\`${word.slice(0, 60)}\` is not a policy: use ${Object.keys(SETTINGS)
          .map((k) => `\`${k}=VALUE\``)
          .join(', ')}`,
      );
    const value = (m[2] as string).toLowerCase();
    if (value === UNSET) {
      patch[setting.key] = undefined;
      continue;
    }
    if (!(value in setting.values))
      throw new ValidationError(
        `${m[1]} cannot be \`${value}\`: it is one of ${[...Object.keys(setting.values), UNSET].join(', ')}`,
      );
    patch[setting.key] = setting.values[value];
  }
  return patch;
}

export async function loadClusterPolicy(store: Store, clusterId: string): Promise<ClusterPolicy> {
  const rec = await store.getRecord<unknown>(CLUSTER_POLICY_TYPE, clusterId);
  const parsed = rec && !rec.gone ? ClusterPolicy.safeParse(rec.data) : undefined;
  return parsed?.success ? parsed.data : {};
}

/** Apply a patch to a cluster's defaults (validated again with zod), keep who did it in the audit trail. */
export async function setClusterPolicy(
  store: Store,
  cluster: { id: string; name: string },
  patch: Partial<Record<keyof ClusterPolicy, unknown>>,
  actor: Actor,
  now: Date,
): Promise<ClusterPolicy> {
  const before = await loadClusterPolicy(store, cluster.id);
  const merged: Record<string, unknown> = { ...before, ...patch };
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  const next = ClusterPolicy.parse(merged);
  await store.putRecord({
    type: CLUSTER_POLICY_TYPE,
    id: cluster.id,
    data: StoredPolicy.parse({ ...next, updatedAt: now.toISOString(), updatedBy: actor.name ?? actor.id }),
  });
  await store.recordAudit({
    actor,
    action: 'cluster.policy',
    target: `cluster:${cluster.id}`,
    from: policyText(before),
    to: policyText(next),
  });
  return next;
}

/** The policies as a person would type them, or `workflow defaults`. */
export function policyText(p: ClusterPolicy): string {
  const words = [
    ...(p.continueOnFailure !== undefined
      ? [`continue-on-failure=${p.continueOnFailure ? 'on' : 'off'}`]
      : []),
    ...(p.staleJobs ? [`stale-jobs=${p.staleJobs}`] : []),
    ...(p.blockers ? [`blockers=${p.blockers}`] : []),
  ];
  return words.length ? words.join(' ') : 'workflow defaults';
}

/** The command's own words win; the cluster's defaults fill what it left out. */
export function withClusterDefaults(
  args: {
    'continue-on-failure'?: boolean | undefined;
    'stale-jobs'?: 'clear' | 'fail' | undefined;
    blockers?: 'pause' | 'skip' | 'fail' | undefined;
  },
  defaults: ClusterPolicy,
): {
  'continue-on-failure'?: boolean;
  'stale-jobs'?: 'clear' | 'fail';
  blockers?: 'pause' | 'skip' | 'fail';
} {
  const cof = args['continue-on-failure'] ?? defaults.continueOnFailure;
  const stale = args['stale-jobs'] ?? defaults.staleJobs;
  const blockers = args.blockers ?? defaults.blockers;
  return {
    ...(cof !== undefined ? { 'continue-on-failure': cof } : {}),
    ...(stale ? { 'stale-jobs': stale } : {}),
    ...(blockers ? { blockers } : {}),
  };
}
