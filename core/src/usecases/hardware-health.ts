import type { Clock } from '../ports/clock.port';
import type { Notifier } from '../ports/notifier.port';
import type { RecordReader, Store } from '../ports/store.port';
import { HardwareHealth } from '../relay/hardware-health.schema';
import type { HealthCheck, HealthState } from './health-report';
import { HEALTH_ORDER, serverState } from './health-report';
import type { HealthThresholds } from './health-thresholds';
import { findHost } from './targets';

/** Store record type of the last `inventory.health` read of each server, by service tag. */
export const HARDWARE_HEALTH_TYPE = 'hardware-health';

export interface HardwareVerdict {
  state: HealthState;
  /** What is wrong now (rollups, certificate, reachability, a stale read, read warnings), worst first. */
  faults: string[];
  /** The newest critical/warning SEL and Lifecycle Controller entries: history, not counted in `state`. */
  entries: string[];
  /** `faults`, then `entries` (what a notification quotes). */
  items: string[];
}

/** How a log entry is labelled beside a host's state: what it is (history), so `ok` beside `critical` reads right. */
export const RECENT_LOG_LABEL = 'recent log entry';

const worstOf = (states: HealthState[]): HealthState => HEALTH_ORDER.find((s) => states.includes(s)) ?? 'ok';
const DAY = 86_400_000;

/**
 * One server's hardware health from its last read. The state comes from the Redfish rollups and the
 * certificate only: log entries stay in the SEL after the part is replaced (a real SEL is cleared by hand),
 * so they are listed for the operator, never counted. A read older than the threshold is at best unknown.
 */
export function hardwareVerdict(h: HardwareHealth, now: Date, t: HealthThresholds): HardwareVerdict {
  const states: HealthState[] = [];
  const faults: { state: HealthState; text: string }[] = [];
  // A BMC that does not answer cannot be managed (no update, no power action) but says nothing of the server.
  if (h.unreachable) {
    states.push('warning');
    faults.push({ state: 'warning', text: `iDRAC not reachable: ${h.unreachable}` });
  }
  for (const p of h.parts) {
    const state = serverState(p.health);
    states.push(state);
    if (state !== 'ok') faults.push({ state, text: `${p.part}: ${p.health}` });
  }
  if (h.certificate) {
    const left = (Date.parse(h.certificate.notAfter) - now.getTime()) / DAY;
    if (Number.isFinite(left) && left < 0) {
      states.push('critical');
      faults.push({
        state: 'critical',
        text: `iDRAC certificate expired ${h.certificate.notAfter.slice(0, 10)}`,
      });
    } else if (Number.isFinite(left) && left <= t.certificateWarnDays) {
      states.push('warning');
      faults.push({
        state: 'warning',
        text: `iDRAC certificate expires in ${Math.floor(left)} day(s) (${h.certificate.notAfter.slice(0, 10)})`,
      });
    }
  }
  const age = Math.floor((now.getTime() - Date.parse(h.readAt)) / 60_000);
  const stale = !Number.isFinite(age) || age >= t.hardwareStaleMinutes;
  let state = states.length ? worstOf(states) : 'unknown';
  if (stale && state === 'ok') state = 'unknown';
  faults.sort((a, b) => HEALTH_ORDER.indexOf(a.state) - HEALTH_ORDER.indexOf(b.state));
  const entries = [
    ...h.sel.map((e) => `SEL ${e.severity.toLowerCase()} ${e.created}: ${e.message}`),
    ...h.lifecycleLog.map((e) => `LC log ${e.severity.toLowerCase()} ${e.created}: ${e.message}`),
  ];
  const current = [
    ...faults.map((f) => f.text),
    ...(stale ? [`read ${Number.isFinite(age) ? `${age} min` : 'at an unknown time'} ago (stale)`] : []),
    ...h.warnings,
  ];
  return { state, faults: current, entries, items: [...current, ...entries] };
}

/** Why a server without a read is unknown, and how it gets read. */
export const NEVER_READ =
  'never read: its health is read by `inventory.health` (on `inventory sync` and the inventory schedule)';

/**
 * The one rating of a server's hardware that the report's hardware check, its counts and its rows share: its
 * last read's verdict, or unknown when it was never read (no read says nothing of the hardware, so never ok).
 */
export function hardwareRating(
  h: HardwareHealth | undefined,
  now: Date,
  t: HealthThresholds,
): HardwareVerdict {
  if (h) return hardwareVerdict(h, now, t);
  return { state: 'unknown', faults: [NEVER_READ], entries: [], items: [NEVER_READ] };
}

/** The `hardware` check of a report: each server's verdict, worst server first. */
export function hardwareCheck(
  reads: { serviceTag: string; hostName?: string | undefined; health?: HardwareHealth }[],
  now: Date,
  t: HealthThresholds,
): HealthCheck {
  const rated = reads.map((r) => ({ r, v: hardwareRating(r.health, now, t) }));
  rated.sort(
    (a, b) =>
      HEALTH_ORDER.indexOf(a.v.state) - HEALTH_ORDER.indexOf(b.v.state) ||
      a.r.serviceTag.localeCompare(b.r.serviceTag),
  );
  const counts = HEALTH_ORDER.map((s) => [s, rated.filter((x) => x.v.state === s).length] as const).filter(
    ([, n]) => n > 0,
  );
  // A host rated by its rollups as ok shows no log entries here: the capture's iDRACs all keep a critical LC
  // entry (a SecureBoot certificate export) that says nothing of the server now, and `ok · …: LC log critical`
  // on every line reads as a contradiction. Elsewhere each entry is labelled as the history it is; the card
  // lists every host's entries apart, under "recent log entries".
  const items = rated.flatMap((x) => {
    const who = `${x.r.serviceTag}${x.r.hostName ? ` (${x.r.hostName})` : ''}`;
    const entries = x.v.state === 'ok' ? [] : x.v.entries.map((e) => `${RECENT_LOG_LABEL}: ${e}`);
    return [...x.v.faults, ...entries].map((i) => `${x.v.state} · ${who}: ${i}`);
  });
  return {
    name: 'hardware',
    state: reads.length ? worstOf(rated.map((x) => x.v.state)) : 'unknown',
    detail: reads.length ? counts.map(([s, n]) => `${n} ${s}`).join(', ') : 'no servers',
    items,
  };
}

/** The last read of each tag (absent: never read or unreadable). */
export async function loadHardwareHealth(
  store: RecordReader,
  tags: string[],
): Promise<Map<string, HardwareHealth>> {
  const recs = await Promise.all(tags.map((t) => store.getRecord<unknown>(HARDWARE_HEALTH_TYPE, t)));
  const out = new Map<string, HardwareHealth>();
  recs.forEach((rec, i) => {
    const parsed = rec && !rec.gone ? HardwareHealth.safeParse(rec.data) : undefined;
    if (parsed?.success) out.set(tags[i] as string, parsed.data);
  });
  return out;
}

/**
 * Keep a server's read and, when it turns critical (it was not at the last read), raise `host_unhealthy`
 * through the notification pipeline: once per change, not on every scheduled read.
 */
export async function recordHardwareHealth(
  deps: { store: Store; notifier: Notifier; clock: Clock },
  read: HardwareHealth,
  opts: { thresholds: HealthThresholds; conversationId?: string },
): Promise<HardwareVerdict> {
  const tag = read.hostId.toUpperCase();
  const now = deps.clock.now();
  const before = (await loadHardwareHealth(deps.store, [tag])).get(tag);
  await deps.store.putRecord({ type: HARDWARE_HEALTH_TYPE, id: tag, data: HardwareHealth.parse(read) });
  const verdict = hardwareVerdict(read, now, opts.thresholds);
  const was = before ? hardwareVerdict(before, now, opts.thresholds).state : undefined;
  if (verdict.state === 'critical' && was !== 'critical') {
    const host = await findHost(deps.store, tag);
    await deps.notifier.notify({
      kind: 'host_unhealthy',
      hostId: tag,
      detail: verdict.items.slice(0, 3).join('; '),
      since: read.readAt,
      ...(host?.clusterId ? { clusterId: host.clusterId } : {}),
      ...(opts.conversationId ? { conversationId: opts.conversationId } : {}),
    });
  }
  return verdict;
}
