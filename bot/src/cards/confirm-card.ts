import type { AdaptiveCard } from '@microsoft/teams-ai';
import { z } from 'zod';
import { POWER_ACTIONS, type PowerAlias } from '../grammar/commands';
import { DropLine, formatDrops, RunTotals } from '@rackops/core/inventory/drop-guard';
import { type CardKey, signCardData } from './card-data';
import { action, card, facts, heading, text } from './elements';
import { clockTime } from './job-label';

/** Operations that need a second click: each is signed into the card and run only on Confirm. */
export const ConfirmOp = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('power'),
    hostId: z.string(),
    hostName: z.string(),
    action: z.enum(Object.keys(POWER_ACTIONS) as [PowerAlias, ...PowerAlias[]]),
    production: z.boolean(),
  }),
  z.object({
    kind: z.literal('media_mount'),
    hostId: z.string(),
    hostName: z.string(),
    url: z.string(),
    /** Credentials name the relay agent resolves (never the secret). */
    login: z.string().optional(),
    production: z.boolean(),
  }),
  z.object({
    kind: z.literal('media_eject'),
    hostId: z.string(),
    hostName: z.string(),
    production: z.boolean(),
  }),
  z.object({ kind: z.literal('force_resume'), jobId: z.string(), v: z.number().int() }),
  /** An inventory sync the drop guard held: accept the smaller estate (a new sync then marks the rest gone). */
  z.object({
    kind: z.literal('inventory_drop'),
    jobId: z.string(),
    source: z.enum(['vcenter', 'ome']),
    sourceId: z.string(),
    drops: z.array(DropLine).max(20),
    totals: RunTotals,
  }),
]);
export type ConfirmOp = z.infer<typeof ConfirmOp>;

export const ConfirmPayload = z.object({
  cid: z.string().min(1).max(64),
  op: ConfirmOp,
  /** Expiry (ISO time): an old confirmation card cannot be used later. */
  exp: z.string(),
  /** Who asked; anyone with the role may confirm, but the card says who asked. */
  by: z.string(),
});
export type ConfirmPayload = z.infer<typeof ConfirmPayload>;

export function describeOp(op: ConfirmOp): string {
  switch (op.kind) {
    case 'power':
      return `power **${op.action}** (${POWER_ACTIONS[op.action]}) on host ${op.hostName} (${op.hostId})`;
    case 'media_mount':
      return `mount ${op.url}${op.login ? ` (login ${op.login})` : ''} on the virtual CD of ${op.hostName} (${op.hostId})`;
    case 'media_eject':
      return `eject the virtual CD of ${op.hostName} (${op.hostId})`;
    case 'force_resume':
      return `force-resume job ${op.jobId} without resolving its blockers`;
    case 'inventory_drop':
      return `accept that ${op.source} ${op.sourceId} now reports ${formatDrops(op.drops)}, and mark what it no longer reports gone`;
  }
}

export function renderConfirm(key: CardKey, payload: ConfirmPayload): AdaptiveCard {
  const p = ConfirmPayload.parse(payload);
  const production = 'production' in p.op && p.op.production;
  return card(
    [
      heading('⚠️ Please confirm'),
      text(`Do you want to ${describeOp(p.op)}?`),
      ...(production
        ? [
            text('This host is in a **production** cluster: the job needs a second person to approve.', {
              color: 'Warning',
            }),
          ]
        : []),
      ...(p.op.kind === 'force_resume'
        ? [
            {
              type: 'Input.Text',
              id: 'in_reason',
              placeholder: 'Why (required, audited)',
              maxLength: 300,
              isRequired: true,
            },
          ]
        : []),
      facts([
        ['Asked by', p.by],
        // As every card shows times; the signed payload keeps the full ISO time it is checked against.
        ['Expires', clockTime(p.exp)],
      ]),
    ],
    [
      action('Confirm', 'confirm.run', signCardData(key, 'confirm.run', p), 'destructive'),
      action('Abort', 'confirm.abort', signCardData(key, 'confirm.abort', { cid: p.cid })),
    ],
  );
}

export function renderClosed(title: string, line: string): AdaptiveCard {
  return card([heading(title), text(line)]);
}
