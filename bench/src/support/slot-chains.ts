import type { RelayCommandRecord } from '@rackops/core/relay/relay-command-record';

const OUT_OF_SERVICE = ['host.enter-maintenance', 'host.apply-and-reboot', 'host.exit-maintenance'];

interface HostOut {
  readonly start: number;
  readonly end: number;
  /** Device time out of service: the three commands' own durations, without the gaps between them. */
  readonly deviceMs: number;
}

/**
 * The lower bound assumes every host takes the shortest out-of-service time; the lab's hosts do not (a host
 * entering maintenance after its neighbours has their VMs to move as well). This rebuilds the k slots from the
 * run's records (each host takes the slot freed last before it left service) and sums each slot's device time:
 * the slowest chain is what the devices alone made of the hosts' phase, before any orchestration. So the
 * ratio to the lower bound splits into device variance (slowest chain / bound) and what RackOps added.
 */
export function slotChains(cmds: RelayCommandRecord[], k: number) {
  const byHost = new Map<string, RelayCommandRecord[]>();
  for (const c of cmds) {
    if (c.target?.type !== 'idrac' || !c.kind || !OUT_OF_SERVICE.includes(c.kind)) continue;
    if (!c.sentAt || !c.completedAt || c.durationMs === undefined) continue;
    byHost.set(c.target.id, [...(byHost.get(c.target.id) ?? []), c]);
  }
  const hosts: HostOut[] = [];
  for (const list of byHost.values()) {
    const enter = list.find((c) => c.kind === 'host.enter-maintenance');
    const exit = list.find((c) => c.kind === 'host.exit-maintenance');
    if (!enter || !exit) continue;
    hosts.push({
      start: Date.parse(enter.sentAt!),
      end: Date.parse(exit.completedAt!),
      deviceMs: list.reduce((sum, c) => sum + c.durationMs!, 0),
    });
  }
  hosts.sort((a, b) => a.start - b.start);
  const slots = Array.from({ length: Math.max(1, k) }, () => ({
    freeAt: Number.NEGATIVE_INFINITY,
    deviceMs: 0,
  }));
  for (const h of hosts) {
    // The slot this host took: the one freed last before it left service (else the first to be freed).
    const free = slots.filter((s) => s.freeAt <= h.start).sort((a, b) => b.freeAt - a.freeAt)[0];
    const slot = free ?? [...slots].sort((a, b) => a.freeAt - b.freeAt)[0]!;
    slot.freeAt = h.end;
    slot.deviceMs += h.deviceMs;
  }
  const chains = slots.map((s) => s.deviceMs);
  return { slowestChainMs: Math.max(...chains), chainsMs: chains };
}
