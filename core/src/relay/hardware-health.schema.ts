import { z } from 'zod';

/** The parts of a server whose Redfish health rollup `inventory.health` reads, system first. */
export const HARDWARE_PARTS = [
  'system',
  'processors',
  'memory',
  'storage',
  'power',
  'fans',
  'temperature',
] as const;
export const HardwarePart = z.enum(HARDWARE_PARTS);

/** One SEL or Lifecycle Controller log entry, as much of it as an operator reads. */
export const HardwareLogEntry = z.object({
  id: z.string().max(64),
  created: z.string().max(64),
  /** Redfish LogEntry Severity: `Critical`, `Warning` (only those are kept). */
  severity: z.string().max(32),
  message: z.string().max(500),
  messageId: z.string().max(100).optional(),
});
export type HardwareLogEntry = z.infer<typeof HardwareLogEntry>;

/**
 * A server's hardware health as its iDRAC reports it: `Status.HealthRollup` of the system and of each part
 * (absent when the iDRAC does not say), the newest critical/warning entries of the SEL and the Lifecycle
 * Controller log, and the expiry of the iDRAC's web server certificate. Each read that failed is a warning,
 * so one missing resource (an older iDRAC) never hides the rest.
 */
export const HardwareHealth = z.object({
  hostId: z.string().max(64),
  /** When the agent read it (the agent's clock). */
  readAt: z.string(),
  parts: z.array(z.object({ part: HardwarePart, health: z.string().max(32) })).max(HARDWARE_PARTS.length),
  sel: z.array(HardwareLogEntry).max(50),
  lifecycleLog: z.array(HardwareLogEntry).max(50),
  certificate: z.object({ notAfter: z.string().max(64), subject: z.string().max(200).optional() }).optional(),
  warnings: z.array(z.string().max(500)).max(20).default([]),
  /**
   * Set by the cloud, never by the agent: the read failed (the iDRAC did not answer, refused the login…).
   * Such a read has no parts; `health` shows the reason.
   */
  unreachable: z.string().max(500).optional(),
});
export type HardwareHealth = z.infer<typeof HardwareHealth>;

export const HardwareHealthParams = z.object({
  /** How many critical/warning entries of each log to keep, newest first. */
  entries: z.number().int().min(1).max(50).default(5),
});
