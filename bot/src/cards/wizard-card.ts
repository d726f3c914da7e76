import { createHash } from 'node:crypto';
import type { AdaptiveCard } from '@microsoft/teams-ai';
import type { VmAction } from '@rackops/core/blockers/resolution.schema';
import type { JobView } from '@rackops/core/usecases/job-queries';
import { canonicalJson, signCardData } from './card-data';
import { type Element, action, card, cardBytes, text } from './elements';
import { jobRef, jobTitle } from './job-parts';
import type { RenderOptions } from './job-parts';
import { type BlockedVm, type PageChunk, type WizardHost, groupByVm, layoutPages } from './wizard-layout';

const ACTION_TITLE: Record<VmAction, string> = {
  power_off: 'Power off during update (back on after)',
  migrate: 'Migrate (DRS moves it)',
  acknowledge: 'Acknowledge and proceed',
};

export const skipInput = (i: number): string => `h${i}_skip`;
export const orderInput = (i: number): string => `h${i}_order`;
export const vmInput = (i: number, j: number): string => `h${i}_v${j}`;

function hostHeader(h: WizardHost, i: number, first: boolean, skip: boolean, order?: number): Element[] {
  const critical = h.vms.filter((v) => v.severity === 'critical').length;
  const title = `**${h.hostName ? `${h.hostName} (${h.hostId})` : h.hostId}** — ${h.vms.length} blocking VM${h.vms.length === 1 ? '' : 's'}${critical ? `, ${critical} critical` : ''}${first ? '' : ' (continued)'}`;
  const out: Element[] = [{ type: 'TextBlock', text: title, wrap: true, separator: true, spacing: 'Medium' }];
  if (first) {
    out.push({
      type: 'Input.Toggle',
      id: skipInput(i),
      title: 'Skip this host (no update)',
      value: String(skip),
      valueOn: 'true',
      valueOff: 'false',
    });
    // No min/max here: the Adaptive Cards renderer refuses to submit an empty number that has bounds, and empty
    // means "planner decides". The bot validates the value (mergePageInputs).
    out.push({
      type: 'Input.Number',
      id: orderInput(i),
      placeholder: 'Order (1 = first; empty = planner decides)',
      ...(order ? { value: order } : {}),
    });
  }
  return out;
}

function vmBlock(vm: BlockedVm, i: number, j: number, chosen?: VmAction): Element[] {
  const reasons = vm.blockers
    .map((b) => `${b.reason.replaceAll('_', ' ')}${b.detail ? ` (${b.detail.slice(0, 80)})` : ''}`)
    .join(', ');
  return [
    text(`${vm.severity === 'critical' ? '🛑' : '⚠️'} ${vm.vmName} — ${reasons}`, { spacing: 'Small' }),
    {
      type: 'Input.ChoiceSet',
      id: vmInput(i, j),
      style: 'compact',
      value: chosen && vm.allowed.includes(chosen) ? chosen : vm.suggested,
      choices: vm.allowed.map((a) => ({ title: ACTION_TITLE[a], value: a })),
    },
  ];
}

export interface WizardModel {
  hosts: WizardHost[];
  pages: PageChunk[][];
  /** Short hash of the layout; a card whose hash differs from a fresh layout is stale. */
  layoutHash: string;
}

/** Lay out the wizard for a paused job; deterministic for the same blockers and budget. */
export function wizardModel(view: JobView, opts: RenderOptions): WizardModel {
  const hosts = view.blockers.map(groupByVm);
  const shell = cardBytes(renderPage(view, opts, hosts, [], 0, 1, 'x'.repeat(16)));
  const budget = opts.maxBytes - shell - 200;
  const pages = layoutPages(
    hosts,
    budget,
    (h) => JSON.stringify(hostHeader(h, 999, true, false, 9999)).length + 2,
    (_h, vm) => Buffer.byteLength(JSON.stringify(vmBlock(vm, 999, 999)), 'utf8') + 2,
  );
  const layoutHash = createHash('sha256').update(canonicalJson(pages)).digest('hex').slice(0, 16);
  return { hosts, pages, layoutHash };
}

export function renderWizard(view: JobView, opts: RenderOptions): AdaptiveCard {
  const model = wizardModel(view, opts);
  const page = Math.min(Math.max(opts.page ?? 0, 0), Math.max(model.pages.length - 1, 0));
  return renderPage(
    view,
    opts,
    model.hosts,
    model.pages[page] ?? [],
    page,
    model.pages.length,
    model.layoutHash,
  );
}

function renderPage(
  view: JobView,
  opts: RenderOptions,
  hosts: WizardHost[],
  chunks: PageChunk[],
  page: number,
  pageCount: number,
  layoutHash: string,
): AdaptiveCard {
  const { job } = view;
  const draft = opts.draft?.hosts ?? {};
  const body: Element[] = [
    { type: 'TextBlock', text: `⏸️ ${jobTitle(job)}`, size: 'Medium', weight: 'Bolder', wrap: true },
    text(
      `Paused: ${hosts.length} host${hosts.length === 1 ? ' has' : 's have'} VMs that block maintenance mode. Choose what to do with each VM, or skip the host. Job ${job.id}.`,
    ),
    ...(opts.notice ? [text(opts.notice, { isSubtle: true })] : []),
    text(`Page ${page + 1} of ${pageCount}`, { isSubtle: true, spacing: 'None' }),
  ];
  for (const chunk of chunks) {
    const i = hosts.findIndex((h) => h.hostId === chunk.hostId);
    const host = hosts[i];
    if (!host) continue;
    const d = draft[host.hostId];
    body.push(...hostHeader(host, i, chunk.first, d?.skip ?? false, d?.order));
    for (const vmId of chunk.vmIds) {
      const j = host.vms.findIndex((v) => v.vmId === vmId);
      const vm = host.vms[j];
      if (vm) body.push(...vmBlock(vm, i, j, d?.vms[vmId]));
    }
  }
  const p = { ...jobRef(job, opts.cid), page, lh: layoutHash };
  const actions: Element[] = [];
  if (page > 0)
    actions.push(
      action('◀ Back', 'wizard.page', signCardData(opts.key, 'wizard.page', { ...p, to: page - 1 })),
    );
  if (page < pageCount - 1)
    actions.push(
      action('Next ▶', 'wizard.page', signCardData(opts.key, 'wizard.page', { ...p, to: page + 1 })),
    );
  else
    actions.push(
      action('Resume job', 'wizard.submit', signCardData(opts.key, 'wizard.submit', p), 'positive'),
    );
  actions.push(
    action(
      'Cancel job',
      'job.cancel',
      signCardData(opts.key, 'job.cancel', { ...jobRef(job, opts.cid), mode: 'graceful' }),
      'destructive',
    ),
  );
  return card(body, actions);
}
