import { HealthThresholds } from '@rackops/core/usecases/health-thresholds';
import { z } from 'zod';

export const Role = z.enum(['viewer', 'operator', 'approver', 'admin']);
export type Role = z.infer<typeof Role>;

const Ids = z.array(z.string().min(1).max(200)).max(10_000).default([]);

/**
 * One person and every id they message under: Teams user ids (`29:...`, one per bot app; Web Chat and other
 * channels have their own) and AAD object ids. Four-eyes compares people, so everyone who requests or approves
 * production changes from more than one id must be listed here.
 */
export const Person = z
  .object({
    name: z.string().trim().min(1).max(200),
    teamsIds: z.array(z.string().min(1).max(200)).max(20).default([]),
    aadObjectIds: z.array(z.string().min(1).max(200)).max(20).default([]),
  })
  .refine((p) => p.teamsIds.length + p.aadObjectIds.length > 0, {
    message: 'a person needs at least one Teams id or AAD object id',
  });
export type Person = z.infer<typeof Person>;

const People = z
  .array(Person)
  .max(10_000)
  .default([])
  .superRefine((people, ctx) => {
    const owner = new Map<string, string>();
    people.forEach((p, i) => {
      for (const id of [...p.teamsIds, ...p.aadObjectIds]) {
        const other = owner.get(id);
        if (other !== undefined && other !== p.name)
          ctx.addIssue({
            code: 'custom',
            path: [i],
            message: `id ${id} is listed for both ${other} and ${p.name}: one id belongs to one person`,
          });
        owner.set(id, p.name);
      }
    });
  });

/**
 * Bot configuration. Role membership is by Teams user id (`29:...`), AAD object id, or AAD group id; a person's
 * role is the highest one any of those grants. Group membership comes from `groupMembers` (or a resolver wired
 * in by the caller, e.g. Microsoft Graph in AWS).
 */
export const BotConfig = z.object({
  /** Microsoft App id; empty locally (the local Direct Line endpoint does not authenticate). */
  appId: z.string().default(''),
  roles: z
    .object({
      viewer: Ids,
      operator: Ids,
      approver: Ids,
      admin: Ids,
    })
    .default({ viewer: [], operator: [], approver: [], admin: [] }),
  /** Every person with more than one id (see Person); unlisted people are known by the ids their message carries. */
  people: People,
  /** Group id -> role. */
  groups: z.record(z.string(), Role).default({}),
  /** Group id -> member ids (Teams ids or AAD object ids), for deployments without a directory lookup. */
  groupMembers: z.record(z.string(), Ids).default({}),
  /** Role of anyone not listed; `none` means they may not even read. */
  defaultRole: z.union([Role, z.literal('none')]).default('none'),
  /** HMAC key for card data: a card whose data does not verify is refused. At least 32 characters. */
  cardSecret: z.string().min(32),
  /**
   * Clusters whose changes need four-eyes approval, by name or id (`lab-b`, `vc-lab/domain-c1002`), besides
   * those the inventory marks production (vCenter custom attribute `rackops.production`). In AWS the bot also
   * reads `PRODUCTION_CLUSTERS` (CDK context `rackops:productionClusters`).
   */
  productionClusters: z.array(z.string().trim().min(1).max(200)).max(1000).default([]),
  /** Sources `inventory sync` (without arguments) refreshes, besides the vCenters already in the inventory. */
  inventorySources: z
    .array(z.object({ source: z.enum(['ome', 'vcenter']), id: z.string().min(1) }))
    .default([]),
  /** Minimum gap between in-place updates of one job card (Teams throttles per conversation). */
  progressMinIntervalMs: z.number().int().min(0).max(60_000).default(2000),
  /** Blocker wizard cards stay below this many bytes (Teams refuses cards over 28 KB). */
  maxCardBytes: z.number().int().min(4000).max(28_000).default(26_000),
  /** Confirmation cards expire after this many seconds. */
  confirmTtlSeconds: z.number().int().positive().default(600),
  /** Card actions answer within this; slower work finishes in the background and updates the card. */
  actionDeadlineMs: z.number().int().positive().default(800),
  /** What `health` calls stuck, stale, too deep or expiring (core/src/usecases/health-thresholds.ts). */
  health: HealthThresholds.default(HealthThresholds.parse({})),
});
export type BotConfig = z.infer<typeof BotConfig>;
export type BotConfigInput = z.input<typeof BotConfig>;

/**
 * `PRODUCTION_CLUSTERS` as deployments set it: a JSON array (what the CDK stack writes) or a comma-separated
 * list (what a person types). Unset or blank is none.
 */
export function clusterListFromEnv(raw: string | undefined): string[] {
  const text = raw?.trim() ?? '';
  if (!text) return [];
  const list = text.startsWith('[') ? z.array(z.string()).parse(JSON.parse(text)) : text.split(',');
  return list.map((c) => c.trim()).filter(Boolean);
}
