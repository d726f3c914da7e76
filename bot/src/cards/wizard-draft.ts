import { VmAction } from '@rackops/core/blockers/resolution.schema';
import { z } from 'zod';

/** Choices made on earlier wizard pages, kept as a job item until the resolution is submitted. */
export const WizardDraft = z.object({
  hosts: z
    .record(
      z.string(),
      z.object({
        skip: z.boolean().default(false),
        order: z.number().int().positive().max(10_000).optional(),
        vms: z.record(z.string(), VmAction).default({}),
      }),
    )
    .default({}),
});
export type WizardDraft = z.infer<typeof WizardDraft>;

/** Job item (kind 'note') holding the draft. */
export const WIZARD_DRAFT_KEY = 'wizard-draft';
