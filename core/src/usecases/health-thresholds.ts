import { z } from 'zod';

/**
 * When a thing is late or deep enough to be worth a look. Defaults suit the 15-minute inventory schedule and
 * an agent that drains the commands queue within seconds. Part of the bot's config (`health`), so each
 * deployment sets its own; zod refuses a negative or fractional threshold by name.
 */
export const HealthThresholds = z.object({
  /** A running job with no write for this long is stuck. */
  runningQuietMinutes: z.number().int().min(1).max(10_080).default(30),
  /** A pending job (not waiting for approval) this far past its start time was never claimed. */
  overdueMinutes: z.number().int().min(1).max(10_080).default(10),
  /** The last finished inventory sync older than this is stale. */
  inventoryStaleMinutes: z.number().int().min(1).max(43_200).default(120),
  /** More messages than this waiting on a work queue (visible + delayed): the agent is not keeping up. */
  queueMaxMessages: z.number().int().min(0).max(1_000_000).default(100),
  /** A message older than this on a queue whose age is known. */
  queueMaxAgeMinutes: z.number().int().min(1).max(20_160).default(15),
  /** More messages than this in a dead-letter queue is critical (0: any message). */
  deadLetterMaxMessages: z.number().int().min(0).max(1_000_000).default(0),
  /** Hardware health read longer ago than this is shown as stale (the inventory schedule refreshes it). */
  hardwareStaleMinutes: z.number().int().min(1).max(43_200).default(180),
  /** An iDRAC certificate that expires within this many days is a warning (expired: critical). */
  certificateWarnDays: z.number().int().min(0).max(3650).default(30),
});
export type HealthThresholds = z.infer<typeof HealthThresholds>;
export type HealthThresholdsInput = z.input<typeof HealthThresholds>;

export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = HealthThresholds.parse({});
