import { IANAZone } from 'luxon';
import { z } from 'zod';
import { Actor, IsoTime } from '../jobs/job.schema';
import { BoundedId } from '../util/ids';

/**
 * A cluster or host as inventory names it: a bounded id, or `<vCenter id>/<moref>` for clusters (the
 * inventory's record ids) — one `/` at most, never an empty or dot-only segment.
 */
export const TargetRecordId = z
  .string()
  .min(1)
  .max(200, 'at most 200 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:@-]*(\/[A-Za-z0-9][A-Za-z0-9._:@-]*)?$/,
    'letters, digits and . _ : @ - only (one / between a vCenter and its object)',
  );

/** What a window does. The seed maps maintenance type → job type; only the rolling firmware update exists now. */
export const WindowAction = z.enum(['rolling_firmware_update']);
export type WindowAction = z.infer<typeof WindowAction>;

/**
 * What the rollout does when a VM blocks maintenance mode and nobody is there to answer: `pause` and tell
 * people, `skip_host`, `power_off_noncritical` (only VMs a pre-approved rule names), or `fail`.
 */
export const BlockerPolicy = z.enum(['pause', 'skip_host', 'power_off_noncritical', 'fail']);
export type BlockerPolicy = z.infer<typeof BlockerPolicy>;

/** An IANA zone name Luxon (and so the ICU data of the runtime) knows; EventBridge takes the same names. */
export const ZoneName = z
  .string()
  .min(1)
  .max(64)
  .refine((z) => z !== 'local' && IANAZone.isValidZone(z), 'an IANA time zone such as Europe/Berlin');

/** Wall-clock time of day in the window's zone. */
export const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:mm, 24-hour');
/** A calendar date in the window's zone. */
export const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

/** Luxon's weekday numbering: 1 = Monday … 7 = Sunday. */
export const Weekday = z.number().int().min(1).max(7);

/**
 * When a series repeats. Time of day and zone are the window's; a cron expression carries its own time.
 * `nth: -1` is the last such weekday of the month; `day: -1` the last day of the month. A day-of-month the
 * month lacks (31 in April, 29 in a common February) is skipped, as cron and EventBridge skip it.
 */
export const Recurrence = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('once') }),
  z.object({ kind: z.literal('weekly'), weekdays: z.array(Weekday).min(1).max(7) }),
  z.object({
    kind: z.literal('monthly-weekday'),
    nth: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(-1)]),
    weekday: Weekday,
  }),
  z.object({
    kind: z.literal('monthly-day'),
    day: z.union([z.number().int().min(1).max(31), z.literal(-1)]),
  }),
  z.object({ kind: z.literal('cron'), expression: z.string().min(9).max(100) }),
]);
export type Recurrence = z.infer<typeof Recurrence>;

/** How the series was approved: four-eyes on production clusters, once per series until it is edited. */
export const WindowApproval = z.enum(['pending', 'approved', 'rejected']);

export const WindowTargets = z
  .object({
    clusters: z.array(TargetRecordId).max(50).default([]),
    hosts: z.array(TargetRecordId).max(500).default([]),
    /** Names people know the targets by (cluster `lab-b`, not `vc-lab/domain-c1002`), as resolved at creation. */
    names: z.record(TargetRecordId, z.string().min(1).max(120)).optional(),
  })
  .refine((t) => t.clusters.length + t.hosts.length > 0, 'a window needs at least one cluster or host');

export const WindowRecord = z.object({
  windowId: BoundedId,
  targets: WindowTargets,
  action: WindowAction,
  zone: ZoneName,
  /** The first day of the series (the only one for `once`), in the window's zone. */
  startDate: LocalDate,
  /** Start time of each occurrence in the zone (ignored for cron, whose expression holds the time). */
  startTime: TimeOfDay,
  /** Length of each occurrence in real minutes (a DST night does not stretch or shrink it). */
  durationMinutes: z
    .number()
    .int()
    .min(15)
    .max(7 * 24 * 60),
  recurrence: Recurrence,
  /** Last day occurrences may start on (inclusive), in the zone. */
  untilDate: LocalDate.optional(),
  blockerPolicy: BlockerPolicy,
  continueOnFailure: z.boolean(),
  /** Production clusters need a second person to approve the series. */
  production: z.boolean(),
  createdBy: Actor,
  createdAt: IsoTime,
  approval: WindowApproval,
  approvedBy: Actor.optional(),
  approvedAt: IsoTime.optional(),
  /** Raised by every edit; an approval is for one version and an edit voids it. */
  version: z.number().int().min(1),
  /** `cancelled` ends the series: no further occurrence fires and its schedule is deleted. */
  state: z.enum(['active', 'cancelled']),
  /** The conversation that created it (reminders and results go there). */
  conversationId: z.string().max(500).optional(),
});
export type WindowRecord = z.infer<typeof WindowRecord>;

export const OccurrenceStatus = z.enum([
  'scheduled',
  'approved',
  'running',
  'completed',
  'partial',
  'failed',
  'skipped',
  'cancelled',
]);
export type OccurrenceStatus = z.infer<typeof OccurrenceStatus>;

export const OCCURRENCE_TERMINAL: readonly OccurrenceStatus[] = [
  'completed',
  'partial',
  'failed',
  'skipped',
  'cancelled',
];

/** One firing of a series; its id is the window id and the UTC start, so the same slot is one record. */
export const Occurrence = z.object({
  windowId: BoundedId,
  /** UTC start, ISO: the occurrence's key within its window. */
  start: IsoTime,
  end: IsoTime,
  status: OccurrenceStatus,
  /** Why it was skipped, cancelled or failed; shown on the card. */
  reason: z.string().max(500).optional(),
  jobId: BoundedId.optional(),
  /** Every job the occurrence started (one per cluster or single host); `jobId` is the first. */
  jobIds: z.array(BoundedId).max(550).optional(),
  /** Hosts not reached before the window ended (`partial`): the next occurrence takes exactly these. */
  hostsLeft: z.array(TargetRecordId).max(500).optional(),
  /** Hosts carried over from the previous `partial` occurrence. */
  carriedHosts: z.array(TargetRecordId).max(500).optional(),
  /** Postponed from a reminder card: the occurrence starts (and ends) this much later. */
  postponedMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
  updatedAt: IsoTime,
  updatedBy: Actor.optional(),
});
export type Occurrence = z.infer<typeof Occurrence>;

const NEXT: Record<OccurrenceStatus, readonly OccurrenceStatus[]> = {
  scheduled: ['approved', 'running', 'skipped', 'cancelled'],
  approved: ['running', 'skipped', 'cancelled', 'scheduled'],
  running: ['completed', 'partial', 'failed', 'cancelled'],
  completed: [],
  partial: [],
  failed: [],
  skipped: [],
  cancelled: [],
};

/** scheduled → approved → running → completed | partial | failed; skipped or cancelled before it ends. */
export function canMoveOccurrence(from: OccurrenceStatus, to: OccurrenceStatus): boolean {
  return NEXT[from].includes(to);
}
