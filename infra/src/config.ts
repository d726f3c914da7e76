import type { Node } from 'constructs';
import { z } from 'zod';

/**
 * Deployment settings, read from CDK context (`cdk.json` "context", or `-c rackops:key=value`).
 * Validated here so a typo fails the synth with a clear message instead of deploying something odd.
 */
const RELAY_PRINCIPAL_REQUIRED =
  'required: the IAM principal ARN the relay agent authenticates as, e.g. ' +
  '-c rackops:relayAgentPrincipal=arn:aws:iam::123456789012:role/rackops-relay-agent';

export const RackOpsConfig = z.object({
  /** Prefix of every physical name (stacks, state machines, schedule group). Lowercase, short. */
  prefix: z
    .string()
    .regex(
      /^[a-z][a-z0-9-]{1,20}$/,
      'lowercase letters, digits and dashes; 2-21 chars; starts with a letter',
    ),
  /** The Teams app (Bot Framework / Entra app registration) id the bot answers as. Empty until registered. */
  teamsAppId: z.string().default(''),
  /** Clusters (names or ids) treated as production: changes to them need four-eyes approval in the bot. */
  productionClusters: z.array(z.string().min(1)).default([]),
  /** How long an SCP backup stays current in the backup bucket (its versions are kept 30 days more). */
  backupRetentionDays: z.number().int().min(1).max(3650).default(365),
  /** How long Lambda and Step Functions logs are kept. */
  logRetentionDays: z.number().int().positive().default(90),
  /**
   * Who may assume the relay agent role: the IAM principal ARN the on-prem agent authenticates as (an IAM
   * Roles Anywhere profile's role, a user). Required, and never an account root: trusting the root lets anyone
   * an administrator of the account allows send results and read commands.
   */
  relayAgentPrincipal: z
    .string({ error: RELAY_PRINCIPAL_REQUIRED })
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:.+$/, 'an IAM principal ARN, arn:aws:iam::<account>:role/<name>')
    .refine((arn) => !/:root$/.test(arn), 'an account root is not a principal (it trusts the whole account)'),
  /**
   * Where job-ops reads the Dell firmware catalog (Catalog.xml, or .gz) for compliance and updates, e.g. your
   * own repository mirror. Unset: the handler's default.
   */
  catalogUrl: z.url({ protocol: /^https$/ }).optional(),
  /**
   * Recurring inventory syncs the deployment keeps (the reconcile Lambda creates them on every deploy and
   * daily): `{"everyMinutes":60,"vcenters":["vc-1"],"omes":["ome-1"]}`, ids as the relay agent's config names them.
   */
  inventorySchedules: z
    .object({
      everyMinutes: z.number().int().min(5).max(10_080).default(60),
      vcenters: z.array(z.string().min(1)).default([]),
      omes: z.array(z.string().min(1)).default([]),
    })
    .default({ everyMinutes: 60, vcenters: [], omes: [] }),
  /** Sender of notification e-mail (an SES-verified address or an address of a verified domain); none if empty. */
  notifyEmailFrom: z.email().optional(),
  /** E-mail subscribed to the alarm topic; none if empty. */
  alarmEmail: z.string().email().optional(),
  /** Minutes without any message on the results queue (the agent heartbeats onto it) before the alarm. */
  heartbeatMissingMinutes: z.number().int().min(5).max(1440).multipleOf(5).default(15),
  /**
   * Bundle the Lambda handlers with esbuild (real deployments). Tests turn it off to synthesize in
   * milliseconds with a stub asset; everything else in the template is identical.
   */
  bundle: z.boolean().default(true),
});
export type RackOpsConfig = z.infer<typeof RackOpsConfig>;

/** Thrown when the CDK context does not describe a valid deployment. */
export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
}

const KEYS = Object.keys(RackOpsConfig.shape) as (keyof RackOpsConfig)[];

/** Context values given with `-c` arrive as strings; values from cdk.json keep their JSON type. */
function coerce(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  if (t === 'true' || t === 'false' || /^-?\d+$/.test(t) || t.startsWith('[') || t.startsWith('{')) {
    try {
      return JSON.parse(t);
    } catch {
      return value;
    }
  }
  return value;
}

/** Reads every `rackops:<key>` context value of the app and validates them together. */
export function readConfig(node: Node): RackOpsConfig {
  const raw: Record<string, unknown> = {};
  for (const key of KEYS) {
    const v = node.tryGetContext(`rackops:${key}`);
    if (v !== undefined && v !== '') raw[key] = coerce(v);
  }
  const parsed = RackOpsConfig.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `rackops:${i.path.join('.')}: ${i.message}`).join('; ');
    throw new InvalidConfigError(`invalid CDK context: ${detail}`);
  }
  return parsed.data;
}
