import type { LabHardwareFault } from '../config/lab-config.schema';
import type { HardwareEvent, HostState } from '../world/types';

type Json = Record<string, unknown>;

const LOGS = '/redfish/v1/Managers/iDRAC.Embedded.1/LogServices';
export const SEL_ENTRIES = `${LOGS}/Sel/Entries`;
export const LC_ENTRIES = `${LOGS}/Lclog/Entries`;
export const HTTPS_CERTIFICATE =
  '/redfish/v1/Managers/iDRAC.Embedded.1/NetworkProtocol/HTTPS/Certificates/SecurityCertificate.2';

/** What iDRAC says for each part, and where its rollup lives (the Dell OEM system rollups). */
const PARTS: Record<
  LabHardwareFault['component'],
  { message: string; messageId: string; dellRollup: string; summary?: 'ProcessorSummary' | 'MemorySummary' }
> = {
  processors: {
    message: 'CPU 1 has an internal error (IERR).',
    messageId: 'CPU0000',
    dellRollup: 'CPURollupStatus',
    summary: 'ProcessorSummary',
  },
  memory: {
    message: 'Multi-bit memory errors detected on a memory device at location DIMM A1.',
    messageId: 'MEM0001',
    dellRollup: 'SysMemPrimaryStatus',
    summary: 'MemorySummary',
  },
  storage: {
    message: 'Physical Disk 0:1:2 is not functioning correctly.',
    messageId: 'PDR0001',
    dellRollup: 'StorageRollupStatus',
  },
  power: { message: 'Power supply 2 is lost.', messageId: 'PSU0003', dellRollup: 'PSRollupStatus' },
  fans: {
    message: 'Fan 3 RPM is less than the lower critical threshold.',
    messageId: 'FAN0001',
    dellRollup: 'FanRollupStatus',
  },
  temperature: {
    message: 'The system inlet temperature is greater than the upper critical threshold.',
    messageId: 'TMP0120',
    dellRollup: 'TempRollupStatus',
  },
};

/**
 * A fault set, changed or cleared becomes an event in the host's logs (as iDRAC logs an assert and a
 * deassert); the same fault set again changes nothing.
 */
export function recordHardwareChange(host: HostState, fault: LabHardwareFault | null, now: Date): void {
  const last = host.hardwareEvents.at(-1);
  const active = last && last.severity !== 'OK' ? last : undefined;
  const id = (last?.id ?? 0) + 1;
  if (fault) {
    const message = fault.message ?? PARTS[fault.component].message;
    if (
      active &&
      active.component === fault.component &&
      active.severity === fault.severity &&
      active.message === message
    )
      return;
    host.hardwareEvents.push({
      id,
      created: now.toISOString(),
      severity: fault.severity,
      component: fault.component,
      message,
    });
  } else if (active) {
    host.hardwareEvents.push({
      id,
      created: now.toISOString(),
      severity: 'OK',
      component: active.component,
      message: `The ${active.component} of the system returned to normal.`,
    });
  }
}

const status = (o: unknown, severity: string, self: boolean) => {
  if (!o || typeof o !== 'object') return;
  const s = o as Json;
  s.HealthRollup = severity;
  if (self) s.Health = severity;
};

/** The system resource with the fault's severity in its own and the part's rollups. */
export function systemWithFault(system: Json, fault: LabHardwareFault | null): Json {
  if (!fault) return system;
  const part = PARTS[fault.component];
  status(system.Status, fault.severity, true);
  if (part.summary) status((system[part.summary] as Json | undefined)?.Status, fault.severity, true);
  const dell = ((system.Oem as Json | undefined)?.Dell as Json | undefined)?.DellSystem as Json | undefined;
  if (dell) dell[part.dellRollup] = fault.severity;
  return system;
}

function entry(path: string, e: HardwareEvent, kind: 'sel' | 'lc'): Json {
  const id = String((kind === 'sel' ? 5000 : 95000) + e.id);
  const part = PARTS[e.component as LabHardwareFault['component']];
  return {
    '@odata.id': `${path}/${id}`,
    '@odata.type': '#LogEntry.v1_9_0.LogEntry',
    Created: e.created,
    Description: `Log Entry ${id}`,
    EntryType: kind === 'sel' ? 'SEL' : 'Oem',
    ...(kind === 'sel' ? { EntryCode: e.severity === 'OK' ? 'Deassert' : 'Assert' } : {}),
    Id: id,
    Message: e.message,
    MessageArgs: [],
    'MessageArgs@odata.count': 0,
    MessageId: kind === 'sel' ? (part?.messageId ?? 'SYS0000') : `IDRAC.2.8.${part?.messageId ?? 'SYS0000'}`,
    Name: `Log Entry ${id}`,
    Severity: e.severity,
  };
}

/** The SEL or LC log collection with the host's hardware events on top, newest first (as iDRAC lists them). */
export function logWithEvents(collection: Json, host: HostState, path: string): Json {
  if (!host.hardwareEvents.length) return collection;
  const kind = path === SEL_ENTRIES ? 'sel' : 'lc';
  const events = [...host.hardwareEvents].reverse().map((e) => entry(path, e, kind));
  const members = Array.isArray(collection.Members) ? collection.Members : [];
  collection.Members = [...events, ...members];
  collection['Members@odata.count'] = events.length + members.length;
  return collection;
}

/** One hardware event as its own LogEntry resource (`…/Entries/<id>`), if the id is one of them. */
export function eventEntry(host: HostState, path: string): Json | undefined {
  for (const [base, kind, offset] of [
    [SEL_ENTRIES, 'sel', 5000],
    [LC_ENTRIES, 'lc', 95000],
  ] as const) {
    if (!path.startsWith(`${base}/`)) continue;
    const n = Number(path.slice(base.length + 1)) - offset;
    const e = host.hardwareEvents.find((x) => x.id === n);
    return e ? entry(base, e, kind) : undefined;
  }
  return undefined;
}

/** The web server certificate with the fault's expiry (ValidNotAfter `days` from now). */
export function certificateWithFault(cert: Json, days: number | null, now: Date): Json {
  if (days === null) return cert;
  cert.ValidNotAfter = new Date(now.getTime() + days * 86_400_000)
    .toISOString()
    .replace(/\.\d{3}Z$/, '+00:00');
  return cert;
}
