import { formatDuration } from '@rackops/core/util/duration';
import { ValidationError } from '@rackops/core/util/errors';
import type { FitEstimate } from '@rackops/core/windows/fit';
import type { Slot } from '@rackops/core/windows/recurrence';
import { scheduleExpression } from '@rackops/core/windows/schedule-expression';
import { armWindow } from '@rackops/core/windows/window-firing';
import { previewFit } from '@rackops/core/windows/window-preview';
import { createWindowStore } from '@rackops/core/windows/window-store';
import { WINDOW_SPEC_USAGE, parseWindowSpec } from '@rackops/core/windows/window-text';
import {
  cancelWindow,
  createWindow,
  decideWindowSeries,
  editWindow,
  skipOccurrence,
  upcoming,
  type WindowDeps,
} from '@rackops/core/windows/window-usecases';
import type { WindowRecord } from '@rackops/core/windows/window.schema';
import { CardFactory } from 'botbuilder';
import { windowFormCard } from '../cards/window-form-card';
import { type WindowsCardRow, windowsCard } from '../cards/windows-card';
import type { ArgsOf } from '../grammar/commands';
import { type Turn, cardKeyOf } from '../runtime';
import { say } from './reply';

const deps = (turn: Turn): WindowDeps => ({
  store: turn.rt.store,
  now: () => turn.rt.clock.now(),
  productionClusters: turn.rt.config.productionClusters,
  preview: (clusters, extraHosts, minutes) => previewFit(turn.rt.store, clusters, extraHosts, minutes),
});

const who = (a: { name?: string; id: string } | undefined) => (a ? (a.name ?? a.id) : '—');

function approvalText(w: WindowRecord): string {
  if (w.approval === 'approved') return `approved by ${who(w.approvedBy)}`;
  if (w.approval === 'rejected') return `rejected by ${who(w.approvedBy)}`;
  return w.production
    ? 'awaiting approval (four-eyes: not its creator)'
    : 'pending (non-production: runs unless rejected)';
}

function fitText(e: FitEstimate): string {
  const line =
    `estimate ${formatDuration(e.makespanS)} for ${e.hosts} host(s), k=${e.k}, ${e.waves} wave(s) ` +
    `(${e.timingSource === 'default' ? 'default per-host time' : 'measured per-host time'}) vs window ${formatDuration(e.windowS)}`;
  return e.fits
    ? `✅ ${line}`
    : `⚠️ ${line}: **does not fit**; the window ends \`partial\` and the next occurrence continues with the hosts left`;
}

const slotText = (s: Slot, zone: string) =>
  `${s.localStart.slice(0, 16).replace('T', ' ')} ${zone}${s.shiftedByDst ? ' (moved by the clock change)' : ''}`;

const nameOf = (w: WindowRecord, id: string) => w.targets.names?.[id] ?? id;
const targetsText = (w: WindowRecord) =>
  [
    ...w.targets.clusters.map((c) => nameOf(w, c)),
    ...w.targets.hosts.map((h) => `host ${nameOf(w, h)}`),
  ].join(', ');

/** The series' schedule: armed for its next occurrence, or deleted once the series is cancelled. */
const arm = (turn: Turn, w: WindowRecord) =>
  armWindow({ scheduler: turn.rt.usecases.scheduler, now: () => turn.rt.clock.now() }, w);

/** What happens in the slot, said once at creation so nobody is surprised by a rollout or by its absence. */
const AT_FIRE_TIME =
  'In each slot RackOps re-checks the approval, that no other job runs on the targets and that a relay ' +
  'agent is online, then starts the rolling update; otherwise the occurrence is `skipped` with the reason.';

export async function windowCreate(turn: Turn, args: ArgsOf<'windowCreate'>): Promise<string> {
  if (args.targets === undefined) return windowForm(turn);
  if (args.schedule === undefined)
    throw new ValidationError(`missing SCHEDULE after the targets; usage: ${WINDOW_SPEC_USAGE}`);
  const spec = parseWindowSpec(args.schedule, turn.rt.clock.now());
  const clusters: string[] = [];
  const hosts: string[] = [];
  for (const t of args.targets.split(',').map((x) => x.trim())) {
    if (!t) continue;
    if (t.toLowerCase().startsWith('host:')) hosts.push(t.slice(5));
    else clusters.push(t);
  }
  if (clusters.length + hosts.length === 0) throw new ValidationError('name at least one cluster or host:ID');
  const {
    window: w,
    estimate,
    next,
  } = await createWindow(deps(turn), {
    clusters,
    hosts,
    spec,
    by: turn.actor,
    conversationId: turn.sender.conversationId,
  });
  await arm(turn, w);
  await say(
    turn,
    [
      `🗓️ Window \`${w.windowId}\` created: rolling firmware update of **${targetsText(w)}**, ` +
        `\`${scheduleExpression(w)}\` in ${w.zone}, ${formatDuration(w.durationMinutes * 60)} each, policy ${w.blockerPolicy}` +
        `${w.continueOnFailure ? ', continues on failure' : ''}.`,
      `Next: ${next.map((s) => slotText(s, w.zone)).join('; ')}`,
      fitText(estimate),
      `Approval: ${approvalText(w)}${w.production ? ` — \`window approve ${w.windowId}\`` : ''}`,
      AT_FIRE_TIME,
    ].join('\n\n'),
  );
  return 'ok';
}

/** `window create` alone: the same fields as a card form (submitted as `window.create`, see card-actions). */
async function windowForm(turn: Turn): Promise<string> {
  const today = turn.rt.clock.now().toISOString().slice(0, 10);
  await turn.sender.send({
    type: 'message',
    text: 'Fill in the form to create a maintenance window (or type `help window create` for the text form).',
    textFormat: 'markdown',
    attachments: [CardFactory.adaptiveCard(windowFormCard(cardKeyOf(turn), today))],
  });
  return 'form';
}

export async function windowEdit(turn: Turn, args: ArgsOf<'windowEdit'>): Promise<string> {
  // Parsed whole first: a schedule it does not understand changes nothing.
  const spec = parseWindowSpec(args.schedule, turn.rt.clock.now());
  const {
    window: w,
    estimate,
    next,
    approvalVoided,
  } = await editWindow(deps(turn), args.id, spec, turn.actor);
  await arm(turn, w);
  await say(
    turn,
    [
      `✏️ Window \`${w.windowId}\` changed (version ${w.version}): \`${scheduleExpression(w)}\` in ${w.zone}, ` +
        `${formatDuration(w.durationMinutes * 60)} each, policy ${w.blockerPolicy}${w.continueOnFailure ? ', continues on failure' : ''}.`,
      `Next: ${next.map((s) => slotText(s, w.zone)).join('; ')}`,
      fitText(estimate),
      `Approval: ${approvalText(w)}${approvalVoided ? ' (the edit voided the earlier approval)' : ''}${w.production ? ` — \`window approve ${w.windowId}\`` : ''}`,
    ].join('\n\n'),
  );
  return 'ok';
}

export async function windows(turn: Turn): Promise<string> {
  const list = await upcoming(deps(turn), 14);
  if (list.length === 0) {
    await say(
      turn,
      'No maintenance window in the next 14 days. Create one with `window create …` (`help window create`), or `window create` alone for a form.',
    );
    return 'ok';
  }
  const fits = new Map<string, FitEstimate>();
  const rows: (WindowsCardRow & { start: string })[] = [];
  for (const { window: w, slot, occurrence } of list) {
    let fit = fits.get(w.windowId);
    if (!fit) {
      fit = (await previewFit(turn.rt.store, w.targets.clusters, w.targets.hosts.length, w.durationMinutes))
        .estimate;
      fits.set(w.windowId, fit);
    }
    const status = occurrence?.status ?? (w.approval === 'approved' ? 'approved' : 'scheduled');
    rows.push({
      start: slot.start,
      when: slotText(slot, w.zone),
      windowId: w.windowId,
      targets: targetsText(w),
      status: `${status}${occurrence?.reason ? ` (${occurrence.reason})` : ''}`,
      approval: approvalText(w),
      fit: `${formatDuration(fit.makespanS)} of ${formatDuration(fit.windowS)}`,
      fits: fit.fits,
    });
  }
  // In start order across zones (the UTC instants, not the local texts).
  rows.sort((a, b) => a.start.localeCompare(b.start));
  await turn.sender.send({
    type: 'message',
    text: `**Maintenance windows, next 14 days**: ${rows.length} occurrence(s) of ${fits.size} window(s)`,
    textFormat: 'markdown',
    attachments: [CardFactory.adaptiveCard(windowsCard(rows, 14))],
  });
  return 'ok';
}

export async function windowShow(turn: Turn, args: ArgsOf<'window'>): Promise<string> {
  const store = createWindowStore(turn.rt.store, () => turn.rt.clock.now());
  const found = await store.getWindow(args.id);
  if (!found) throw new ValidationError(`window ${args.id} not found (\`windows\` lists them)`);
  const w = found.value;
  const past = await store.listOccurrences(w.windowId);
  const coming = (await upcoming(deps(turn), 60)).filter((u) => u.window.windowId === w.windowId).slice(0, 5);
  await say(
    turn,
    [
      `**Window \`${w.windowId}\`** — ${w.state === 'cancelled' ? 'cancelled' : 'active'}`,
      `Targets: ${targetsText(w)}${w.production ? ' (production)' : ''}`,
      `Schedule: \`${scheduleExpression(w)}\` ${w.zone}, ${formatDuration(w.durationMinutes * 60)}; from ${w.startDate}${w.untilDate ? ` until ${w.untilDate}` : ''}`,
      `Policy: ${w.blockerPolicy}${w.continueOnFailure ? ', continue on failure' : ''}`,
      `Created by ${who(w.createdBy)}; ${approvalText(w)}`,
      `Coming: ${coming.map((c) => `${slotText(c.slot, w.zone)}${c.occurrence ? ` (${c.occurrence.status})` : ''}`).join('; ') || 'none'}`,
      `Past: ${past.map((o) => `${o.start} ${o.status}${o.reason ? ` (${o.reason})` : ''}${o.hostsLeft?.length ? `, ${o.hostsLeft.length} host(s) left` : ''}`).join('; ') || 'none'}`,
    ].join('\n\n'),
  );
  return 'ok';
}

export async function windowDecide(turn: Turn, id: string, decision: 'approve' | 'reject'): Promise<string> {
  const w = await decideWindowSeries(deps(turn), id, turn.actor, decision);
  await say(turn, `${decision === 'approve' ? '✅' : '⛔'} Window \`${w.windowId}\` ${approvalText(w)}.`);
  return 'ok';
}

export async function windowSkip(turn: Turn, args: ArgsOf<'windowSkip'>): Promise<string> {
  const o = await skipOccurrence(deps(turn), args.id, args.when, turn.actor);
  await say(turn, `⏭️ Window \`${args.id}\`: the occurrence at ${o.start} is skipped.`);
  return 'ok';
}

export async function windowCancel(turn: Turn, args: ArgsOf<'windowCancel'>): Promise<string> {
  const w = await cancelWindow(deps(turn), args.id);
  await arm(turn, w);
  await say(turn, `🛑 Window \`${w.windowId}\` is cancelled: none of its occurrences will run.`);
  return 'ok';
}
