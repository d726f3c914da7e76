import { z } from 'zod';
import { KeyId } from '@rackops/core/relay/keyring';
import { BoundedId } from '@rackops/core/util/ids';
import { TlsPolicy } from '../http/tls-policy';
import { DirectHop } from '../zfs/direct-hop';

const Credentials = z.object({ username: z.string().min(1), password: z.string().min(1) });

/** One device: inline credentials or a credentials file (JSON `{username,password}`, mode 0600). */
export const DeviceConfig = z
  .object({
    url: z.url({ protocol: /^https$/ }),
    credentials: Credentials.optional(),
    credentialsFile: z.string().min(1).optional(),
    /** Required: how to trust this device's certificate. */
    tls: TlsPolicy,
    /** Parallel sockets to this device. @default 4 */
    maxSockets: z.number().int().positive().max(32).default(4),
  })
  .refine((d) => (d.credentials ? 1 : 0) + (d.credentialsFile ? 1 : 0) === 1, {
    message: 'give exactly one of credentials or credentialsFile',
    path: ['credentials'],
  });
export type DeviceConfig = z.infer<typeof DeviceConfig>;

/** A host name or address literal on an outbound allow-list (no scheme, port or path). */
const OutboundHost = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:[\]_-]+$/, 'a host name or IP address, without scheme, port or path');

/** A share login for virtual media: inline or a file (JSON `{username,password}`, mode 0600). */
const MediaCredentials = z
  .object({ credentials: Credentials.optional(), credentialsFile: z.string().min(1).optional() })
  .refine((d) => (d.credentials ? 1 : 0) + (d.credentialsFile ? 1 : 0) === 1, {
    message: 'give exactly one of credentials or credentialsFile',
    path: ['credentials'],
  });

/**
 * One ZFS appliance reached over SSH. The host key is pinned like a TLS pin (`ssh-keygen -lf` prints it);
 * the key file must be mode 0600, checked when the agent starts.
 */
export const ZfsSiteConfig = z.object({
  host: OutboundHost,
  port: z.number().int().min(1).max(65_535).default(22),
  user: z
    .string()
    .regex(
      /^[a-z_][a-z0-9_.-]{0,31}$/,
      'a login name (lower case letters, digits, _ . -), at most 32 characters',
    ),
  keyFile: z.string().min(1),
  hostKeyFingerprint: z
    .string()
    .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'the SHA256:… fingerprint `ssh-keygen -lf <host key>` prints'),
  /**
   * Direct transfers from this appliance, by target appliance id: how this appliance's own ssh reaches the
   * target (a group with `transport: direct` needs an entry for its pair).
   */
  direct: z.record(z.string(), DirectHop).default({}),
});
export type ZfsSiteConfig = z.infer<typeof ZfsSiteConfig>;

/** A bucket name as S3 allows it (3–63 lower-case letters, digits, "." and "-"). */
const S3BucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name (lower-case letters, digits, "." and "-")');

/**
 * Where SCP backups are kept: a folder of this agent's, or an S3 bucket (the stateful stack's backup bucket,
 * or any S3-compatible endpoint). The agent's IAM grant covers `prefix` only.
 */
export const BackupsConfig = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('folder'), dir: z.string().min(1) }),
  z.object({
    kind: z.literal('s3'),
    bucket: S3BucketName,
    /** Key prefix, folder-like segments each ending in "/". @default "scp/" */
    prefix: z
      .string()
      .regex(
        /^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,62}\/){1,4}$/,
        'a key prefix like "scp/" (letters, digits, ".", "_", "-" segments, each ending in "/")',
      )
      .refine((p) => !p.includes('..'), 'a key prefix has no ".."')
      .default('scp/'),
    region: z.string().min(1),
    /** Custom S3 endpoint (VPC endpoint, or the local stack's emulator). */
    endpoint: z.url().optional(),
    /** Path-style URLs (bucket in the path): what an emulator on 127.0.0.1 needs. @default false */
    pathStyle: z.boolean().default(false),
  }),
]);
export type BackupsConfig = z.infer<typeof BackupsConfig>;

export const AgentConfig = z.object({
  agentId: z.string().min(1).max(100).default('relay-1'),
  /** HMAC key shared with the cloud (or signingKeyFile, mode 0600). */
  signingKey: z.string().min(32, 'at least 32 characters').optional(),
  signingKeyFile: z.string().min(1).optional(),
  /**
   * Several keys by key id (a key inline, or `{file}` mode 0600) with the one that signs named by `activeKid`:
   * how a rotation keeps two keys valid at once. Or `signingKeysFile`: JSON `{activeKid, keys}`, mode 0600.
   * Keys are re-read on SIGHUP.
   */
  signingKeys: z
    .record(
      KeyId,
      z.union([z.string().min(32, 'at least 32 characters'), z.object({ file: z.string().min(1) })]),
    )
    .optional(),
  activeKid: KeyId.optional(),
  signingKeysFile: z.string().min(1).optional(),
  /** Commands larger than this are refused (`too_large`) before they are parsed. */
  maxBodyBytes: z.number().int().min(1024).max(262_144).default(65_536),
  /** How far the cloud's clock may run ahead of ours when it issues a command. */
  clockSkewSeconds: z.number().int().min(0).max(3600).default(300),
  /** The longest lifetime (expiresAt − issuedAt) a command may claim. */
  maxCommandLifetimeSeconds: z
    .number()
    .int()
    .positive()
    .max(7 * 86_400)
    .default(86_400),
  queues: z.object({
    commandsUrl: z.string().min(1),
    resultsUrl: z.string().min(1),
    region: z.string().min(1).default('us-east-1'),
    /** Custom SQS endpoint (VPC endpoint, or the local emulator). */
    endpoint: z.url().optional(),
    waitTimeSeconds: z.number().int().min(0).max(20).default(20),
    /** Initial visibility; extended while a command runs. */
    visibilityTimeoutSeconds: z.number().int().min(5).max(43_200).default(120),
  }),
  concurrency: z
    .object({
      max: z.number().int().positive().max(256).default(16),
      perTarget: z.number().int().positive().max(8).default(1),
    })
    .default({ max: 16, perTarget: 1 }),
  heartbeatSeconds: z.number().positive().default(30),
  /** Progress cadence on long operations. */
  progressSeconds: z.number().positive().default(5),
  /** Progress messages of one command are coalesced to at most one per this many ms (the latest is sent). */
  progressMinGapMs: z.number().int().nonnegative().default(1000),
  /** How often handlers re-read device state while waiting (job status, reachability). */
  pollIntervalMs: z.number().int().positive().default(5000),
  shutdownGraceSeconds: z.number().nonnegative().default(60),
  ledgerPath: z.string().min(1).default('/var/lib/rackops-relay/ledger.sqlite'),
  /** SCP backups. Absent: a folder `scp` next to the ledger (backups then live on this agent only). */
  backups: BackupsConfig.optional(),
  /** Prometheus metrics on loopback only; null disables, 0 picks a free port. */
  metrics: z
    .object({ port: z.number().int().min(0).max(65_535).nullable().default(9464) })
    .default({ port: 9464 }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  http: z
    .object({
      timeoutMs: z.number().int().positive().default(30_000),
      retries: z.number().int().min(1).max(10).default(4),
      retryBaseMs: z.number().int().positive().default(250),
    })
    .default({ timeoutMs: 30_000, retries: 4, retryBaseMs: 250 }),
  /**
   * The on-prem firmware repository: `hosts` are the only hosts firmware URLs may name (https), `tls` the trust
   * for package downloads (multipart transfer). Empty `hosts` refuses every firmware.stage.
   */
  repository: z
    .object({ tls: TlsPolicy.optional(), hosts: z.array(OutboundHost).default([]) })
    .default({ hosts: [] }),
  /**
   * Virtual media: `allowHosts` may serve nfs/cifs images and may resolve to private or loopback addresses
   * (https from any public host needs no entry); `credentials` are the shares' logins, named by a command's
   * `credentialsRef` — URLs never carry them.
   */
  media: z
    .object({
      allowHosts: z.array(OutboundHost).default([]),
      credentials: z
        .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/), MediaCredentials)
        .default({}),
    })
    .default({ allowHosts: [], credentials: {} }),
  /**
   * ZFS appliances by id: the id a zfs.* command names as its target (or `targetAppliance`). Without sites
   * the zfs.* commands are refused as unknown targets.
   */
  zfs: z
    .object({
      sites: z
        .record(z.string(), ZfsSiteConfig)
        // Checked here rather than as the record's key schema, whose error would not say what an id may be.
        .superRefine((sites, ctx) => {
          for (const [id, site] of Object.entries(sites)) {
            const bad = BoundedId.safeParse(id).error?.issues[0];
            if (bad) ctx.addIssue({ code: 'custom', path: [id], message: `appliance id: ${bad.message}` });
            for (const to of Object.keys(site.direct))
              if (!Object.hasOwn(sites, to) || to === id)
                ctx.addIssue({
                  code: 'custom',
                  path: [id, 'direct', to],
                  message: `a direct hop names another configured appliance; "${to}" is not one`,
                });
          }
        })
        .default({}),
    })
    .default({ sites: {} }),
  devices: z.object({
    /** Keyed by canonical host id: the Dell service tag. */
    idracs: z.record(z.string().min(1), DeviceConfig).default({}),
    vcenters: z.record(z.string().min(1), DeviceConfig).default({}),
    omes: z.record(z.string().min(1), DeviceConfig).default({}),
  }),
});
export type AgentConfig = z.infer<typeof AgentConfig>;
export type AgentConfigInput = z.input<typeof AgentConfig>;
