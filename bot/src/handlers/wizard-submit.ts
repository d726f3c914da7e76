import type { HostResolution, Resolution, VmAction } from '@rackops/core/blockers/resolution.schema';
import { VmAction as VmActionSchema } from '@rackops/core/blockers/resolution.schema';
import { ValidationError } from '@rackops/core/util/errors';
import { z } from 'zod';
import { orderInput, skipInput, vmInput } from '../cards/wizard-card';
import type { WizardModel } from '../cards/wizard-card';
import type { WizardDraft } from '../cards/wizard-draft';

const Toggle = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');
const Order = z.union([z.literal(''), z.coerce.number().int().min(1).max(10_000)]);

/**
 * Fold one wizard page's inputs into the draft. Only inputs that belong to the page are read; each is validated
 * (a VM action must be one the card offered for that VM), so a forged input cannot introduce anything new.
 */
export function mergePageInputs(
  model: WizardModel,
  page: number,
  inputs: Record<string, unknown>,
  draft: WizardDraft,
): WizardDraft {
  const chunks = model.pages[page];
  if (!chunks) throw new ValidationError(`page ${page + 1} does not exist`);
  const next: WizardDraft = { hosts: structuredClone(draft.hosts) };
  for (const chunk of chunks) {
    const i = model.hosts.findIndex((h) => h.hostId === chunk.hostId);
    const host = model.hosts[i];
    if (!host) continue;
    const d = next.hosts[host.hostId] ?? { skip: false, vms: {} };
    if (chunk.first) {
      const skip = inputs[skipInput(i)];
      if (skip !== undefined) {
        const parsed = Toggle.safeParse(skip);
        if (!parsed.success) throw new ValidationError(`"skip" for ${host.hostId} must be true or false`);
        d.skip = parsed.data;
      }
      const order = inputs[orderInput(i)];
      if (order !== undefined) {
        const parsed = Order.safeParse(order);
        if (!parsed.success)
          throw new ValidationError(`the order for ${host.hostId} must be a whole number from 1`);
        if (parsed.data === '') delete d.order;
        else d.order = parsed.data;
      }
    }
    for (const vmId of chunk.vmIds) {
      const j = host.vms.findIndex((v) => v.vmId === vmId);
      const vm = host.vms[j];
      const raw = inputs[vmInput(i, j)];
      if (!vm || raw === undefined) continue;
      const parsed = VmActionSchema.safeParse(raw);
      if (!parsed.success || !vm.allowed.includes(parsed.data))
        throw new ValidationError(
          `${vm.vmName}: "${String(raw).slice(0, 40)}" is not one of ${vm.allowed.join(', ')}`,
        );
      d.vms[vmId] = parsed.data;
    }
    next.hosts[host.hostId] = d;
  }
  return next;
}

/** The full resolution from the draft; VMs nobody touched take the card's suggested action (shown preselected). */
export function resolutionFromDraft(jobId: string, model: WizardModel, draft: WizardDraft): Resolution {
  const hosts: HostResolution[] = model.hosts.map((h) => {
    const d = draft.hosts[h.hostId];
    return {
      hostId: h.hostId,
      skipHost: d?.skip ?? false,
      vms: h.vms.map((vm) => {
        const chosen: VmAction | undefined = d?.vms[vm.vmId];
        return {
          vmId: vm.vmId,
          vmName: vm.vmName,
          action: chosen && vm.allowed.includes(chosen) ? chosen : vm.suggested,
        };
      }),
    };
  });
  const ordered = model.hosts
    .map((h) => ({ id: h.hostId, order: draft.hosts[h.hostId]?.order }))
    .filter((h): h is { id: string; order: number } => h.order !== undefined)
    .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id))
    .map((h) => h.id);
  return { jobId, hosts, ...(ordered.length ? { hostOrder: ordered } : {}) };
}
