import { z } from 'zod';
import { DropLine, RunTotals } from '../inventory/drop-guard';

/**
 * How one host ended, as the report's table shows it. `partial`: some of its firmware was applied (the part
 * that needs no reboot, in service) and the rest was not — such a host is never called untouched.
 */
export const ReportHostStatus = z.enum([
  'updated',
  'partial',
  'current',
  'failed',
  'interrupted',
  'not_started',
  'skipped',
]);
export type ReportHostStatus = z.infer<typeof ReportHostStatus>;

export const ReportHost = z.object({
  hostId: z.string(),
  name: z.string().optional(),
  status: ReportHostStatus,
  /** Packages applied (updated, partial), or due and not applied (failed, not started). */
  packages: z.number().int().nonnegative(),
  /** Out of service (its window), or its in-service update when it had no window. */
  durationSeconds: z.number().nonnegative().optional(),
  /** The host's final state in one sentence. */
  detail: z.string().max(1000),
  /** Firmware applied, each as `name → version` (the version it went to). */
  applied: z.array(z.string().max(200)).max(100).default([]),
  /** Failed: what went wrong, in a sentence (the detail has it too, with where the host is). */
  why: z.string().max(500).optional(),
  /** Failed or interrupted: where the host is now (maintenance mode, power, vCenter connection). */
  where: z.string().max(500).optional(),
  /** What the operator does next about this host. */
  next: z.string().max(500).optional(),
});
export type ReportHost = z.infer<typeof ReportHost>;

/**
 * A finished job in a shape cards can lay out (job item `note`/`report`, written by the workflow's finish).
 * `summary` is the one line an operator reads first; everything else is for the table and the details.
 */
export const JobReport = z.object({
  outcome: z.enum(['completed', 'failed', 'cancelled']),
  /** One line, without the target's name: "3 hosts updated, 1 already current, 41 min, HA restored". */
  summary: z.string().max(400),
  cancelMode: z.enum(['graceful', 'immediate']).optional(),
  durationSeconds: z.number().nonnegative().optional(),
  /** Only when RackOps relaxed HA admission control. */
  ha: z.object({ restored: z.boolean(), text: z.string().max(1000) }).optional(),
  /** What went wrong that is not one host's failure (preflight, catalog, the workflow itself). */
  problems: z.array(z.string().max(1000)).max(20).default([]),
  /** What to do next, job-wide. */
  next: z.array(z.string().max(500)).max(10).default([]),
  hosts: z.array(ReportHost).max(1000).default([]),
  /** A single-command job's result as readable facts (never raw JSON). */
  facts: z
    .array(z.object({ title: z.string().max(60), value: z.string().max(500) }))
    .max(30)
    .default([]),
  /** An inventory sync the drop guard held: the card asks an operator to accept the new size or keep. */
  inventoryDrop: z
    .object({
      source: z.enum(['vcenter', 'ome']),
      sourceId: z.string().max(200),
      drops: z.array(DropLine).max(20),
      totals: RunTotals,
    })
    .optional(),
});
export type JobReport = z.infer<typeof JobReport>;
export type JobReportInput = z.input<typeof JobReport>;

/** Where the report is kept: a job item of kind `note`. */
export const REPORT_NOTE_KEY = 'report';
