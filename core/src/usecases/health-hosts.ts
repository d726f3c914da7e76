import type { HARDWARE_PARTS, HardwareHealth } from '../relay/hardware-health.schema';

type HardwarePart = (typeof HARDWARE_PARTS)[number];
import { hardwareRating } from './hardware-health';
import type { HealthState } from './health-report';
import { HEALTH_ORDER, serverState } from './health-report';
import type { HealthThresholds } from './health-thresholds';

/** The rollups a fleet card shows per host, in its column order. */
export const ROW_PARTS = ['system', 'processors', 'memory', 'storage', 'power', 'fans'] as const;

/** One SEL or Lifecycle Controller entry: history the iDRAC keeps, not the server's state now. */
export interface RecentLogEntry {
  log: 'SEL' | 'LC';
  severity: string;
  created: string;
  message: string;
}

/** One server of a health report, for a card: its state now, why, and its recent log entries apart. */
export interface HostHealthRow {
  serviceTag: string;
  hostName?: string;
  model?: string;
  /** Worst of the inventory's rollup (when it has one) and the hardware rating (unknown when never read). */
  state: HealthState;
  /** `Status.HealthRollup` per part from the last hardware read (absent: not read, or not reported). */
  parts: Partial<Record<HardwarePart, string>>;
  /** The iDRAC answered the last read; undefined: never read. */
  idracReachable?: boolean;
  certificateNotAfter?: string;
  /** What makes the state what it is (rollups not OK, certificate, unreachable, stale read), worst first. */
  problems: string[];
  /** Newest first. Listed, never rated: a SEL keeps a lost power supply's entry after the repair. */
  recentLog: RecentLogEntry[];
  readAt?: string;
}

export interface HostRowInput {
  serviceTag: string;
  hostName?: string | undefined;
  model?: string | undefined;
  /** The inventory's health (iDRAC / OME rollup), when the server is in the inventory. */
  health?: string | undefined;
  hardware?: HardwareHealth | undefined;
}

const newestFirst = (a: RecentLogEntry, b: RecentLogEntry) => b.created.localeCompare(a.created);

/** Rows for a health card, worst first, then by service tag. Pure. */
export function hostHealthRows(
  inputs: readonly HostRowInput[],
  now: Date,
  t: HealthThresholds,
): HostHealthRow[] {
  const rows = inputs.map((i): HostHealthRow => {
    const h = i.hardware;
    // The same rating as the report's hardware check: a server never read is unknown, whatever the inventory says.
    const verdict = hardwareRating(h, now, t);
    const states: HealthState[] = [verdict.state];
    if (i.health !== undefined) states.push(serverState(i.health));
    const state = HEALTH_ORDER.find((s) => states.includes(s)) ?? 'unknown';
    const inventory =
      i.health !== undefined && serverState(i.health) !== 'ok' ? [`inventory: ${i.health}`] : [];
    return {
      serviceTag: i.serviceTag,
      ...(i.hostName ? { hostName: i.hostName } : {}),
      ...(i.model ? { model: i.model } : {}),
      state,
      parts: Object.fromEntries((h?.parts ?? []).map((p) => [p.part, p.health])),
      ...(h ? { idracReachable: !h.unreachable, readAt: h.readAt } : {}),
      ...(h?.certificate ? { certificateNotAfter: h.certificate.notAfter } : {}),
      problems: [...inventory, ...verdict.faults],
      recentLog: [
        ...(h?.sel ?? []).map((e) => ({ log: 'SEL' as const, ...pick(e) })),
        ...(h?.lifecycleLog ?? []).map((e) => ({ log: 'LC' as const, ...pick(e) })),
      ].sort(newestFirst),
    };
  });
  return rows.sort(
    (a, b) =>
      HEALTH_ORDER.indexOf(a.state) - HEALTH_ORDER.indexOf(b.state) ||
      a.serviceTag.localeCompare(b.serviceTag),
  );
}

const pick = (e: { severity: string; created: string; message: string }) => ({
  severity: e.severity,
  created: e.created,
  message: e.message,
});

/** The servers of a report and their hardware reads, joined by service tag. */
export function joinHostInputs(
  servers: readonly {
    serviceTag: string;
    model: string;
    health?: string | undefined;
    hostName?: string | undefined;
  }[],
  hardware: readonly { serviceTag: string; hostName?: string | undefined; health?: HardwareHealth }[] = [],
): HostRowInput[] {
  const byTag = new Map<string, HostRowInput>();
  for (const s of servers)
    byTag.set(s.serviceTag.toUpperCase(), {
      serviceTag: s.serviceTag,
      model: s.model,
      health: s.health,
      hostName: s.hostName,
    });
  for (const h of hardware) {
    const tag = h.serviceTag.toUpperCase();
    const row = byTag.get(tag) ?? { serviceTag: h.serviceTag };
    byTag.set(tag, { ...row, hostName: row.hostName ?? h.hostName, hardware: h.health });
  }
  return [...byTag.values()];
}
