import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { IsoTime } from '../jobs/job.schema';
import { CommandKind } from './commands';

export const PROTOCOL_VERSION = 1;

/** The device a command is about. FIFO MessageGroupId = `${type}:${id}` so one device is worked serially. */
export const CommandTarget = z.object({
  type: z.enum(['idrac', 'vcenter', 'ome', 'zfs']),
  id: z.string().min(1).max(200),
});
export type CommandTarget = z.infer<typeof CommandTarget>;
export const messageGroupId = (t: CommandTarget): string => `${t.type}:${t.id}`;

export const UnsignedEnvelope = z.object({
  v: z.literal(PROTOCOL_VERSION),
  id: z.string().min(1).max(128),
  kind: CommandKind,
  target: CommandTarget,
  params: z.record(z.string(), z.unknown()),
  taskToken: z.string().max(8192).optional(),
  jobId: z.string().optional(),
  issuedAt: IsoTime,
  expiresAt: IsoTime,
});
export type UnsignedEnvelope = z.infer<typeof UnsignedEnvelope>;

export const Envelope = UnsignedEnvelope.extend({ sig: z.string().regex(/^[0-9a-f]{64}$/) });
export type Envelope = z.infer<typeof Envelope>;

/** JSON with object keys sorted at every depth: the bytes both sides sign. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function signEnvelope(env: UnsignedEnvelope, key: string): Envelope {
  const sig = createHmac('sha256', key).update(canonicalJson(env)).digest('hex');
  return { ...env, sig };
}

export type VerifyOutcome =
  | { ok: true; envelope: Envelope }
  | {
      ok: false;
      reason: 'malformed' | 'unsigned' | 'bad_signature' | 'expired';
      detail: string;
      id?: string;
      taskToken?: string;
      jobId?: string;
    };

/** Checks shape, signature and expiry. Replay is checked by the agent's ledger, which remembers ids. */
export function verifyEnvelope(raw: unknown, key: string, now: Date): VerifyOutcome {
  const loose = (raw ?? {}) as Record<string, unknown>;
  const ids = {
    id: typeof loose.id === 'string' ? loose.id : undefined,
    taskToken: typeof loose.taskToken === 'string' ? loose.taskToken : undefined,
    jobId: typeof loose.jobId === 'string' ? loose.jobId : undefined,
  };
  if (typeof raw === 'object' && raw !== null && !('sig' in raw)) {
    return { ok: false, reason: 'unsigned', detail: 'the command carries no signature', ...ids };
  }
  const parsed = Envelope.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return { ok: false, reason: 'malformed', detail, ...ids };
  }
  const { sig, ...unsigned } = parsed.data;
  const expected = createHmac('sha256', key).update(canonicalJson(unsigned)).digest();
  const given = Buffer.from(sig, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_signature', detail: 'the signature does not match', ...ids };
  }
  if (Date.parse(parsed.data.expiresAt) <= now.getTime()) {
    return {
      ok: false,
      reason: 'expired',
      detail: `the command expired at ${parsed.data.expiresAt}`,
      ...ids,
    };
  }
  return { ok: true, envelope: parsed.data };
}
