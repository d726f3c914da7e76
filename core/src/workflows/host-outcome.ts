import type { ReportHost } from '../jobs/job-report.schema';
import { appliedName } from './firmware-name';
import type { ApplyNowNote } from './ops/apply-now.op';
import type { HostItem } from './ops/state.schema';
import { clip } from '../util/clip';

/** How long the host was worked on: its window (out of service), else its in-service update. */
export interface HostTiming {
  windowSeconds?: number;
  inServiceSeconds?: number;
}

const notInMaintenance = /\bnot in maintenance mode\b/;
/** Still in maintenance mode, per the probe or the recorded steps. */
export const stillInMaintenance = (where: string | undefined): boolean =>
  !!where && /\bin maintenance mode\b/.test(where.replace(notInMaintenance, ''));

/** The few words a summary line gives a failed host's whereabouts. */
export function shortWhere(h: Pick<ReportHost, 'where' | 'applied'>): string | undefined {
  if (!h.where) return undefined;
  if (stillInMaintenance(h.where)) return 'in maintenance mode';
  if (/iDRAC unreachable/.test(h.where)) return 'iDRAC unreachable';
  if (/never left service/.test(h.where)) return 'still in service';
  return undefined;
}

/** What an operator does next about a failed host, from where it is. */
function nextForFailed(h: HostItem, where: string | undefined, inService: boolean): string {
  const todo: string[] = [];
  if (inService) todo.push("look at the iDRAC's job queue for the failed firmware job");
  else if (where && /iDRAC unreachable/.test(where))
    todo.push("check the server's power and its iDRAC network");
  else if (where && /power Off/.test(where)) todo.push('open the iDRAC console to see why it did not boot');
  else todo.push("check the host in vCenter and its iDRAC's job queue");
  if (stillInMaintenance(where)) todo.push('take it out of maintenance mode once it is healthy');
  if (h.powerOff?.length) todo.push(`power these VMs back on: ${h.powerOff.map((v) => v.name).join(', ')}`);
  todo.push(`then run \`update host ${h.hostId}\` to finish it`);
  const text = todo.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/**
 * One host's line in the report, from its window (the host item) and its in-service update (the note), which
 * run apart: a host whose window never started may still have had firmware applied in service, and is then
 * `partial`, never "untouched". Applied firmware is named with the version it went to. Pure.
 */
export function hostOutcome(
  h: HostItem,
  note: ApplyNowNote | undefined,
  timing: HostTiming = {},
): ReportHost {
  const pkgs = h.packages ?? [];
  const reboot = pkgs.filter((p) => p.rebootRequired);
  const inService = pkgs.filter((p) => !p.rebootRequired);
  const base = { hostId: h.hostId, ...(h.name ? { name: h.name } : {}) };
  const duration = timing.windowSeconds ?? timing.inServiceSeconds;
  const timed = duration === undefined ? {} : { durationSeconds: duration };
  const inServiceDone = note?.status === 'applied';
  // Applied: said in short, the names with their versions are in `applied`.
  const inServiceText =
    note?.status === 'applied'
      ? `${inService.length} package(s) without reboot applied in service and verified`
      : (note?.state ?? (note?.status === 'running' ? 'firmware without reboot interrupted' : ''));
  const withNote = (text: string) => (note && inServiceText ? `${text}; ${inServiceText}` : text);

  if (note?.status === 'failed' && h.phase !== 'failed') {
    const where =
      h.phase === 'updated' ? 'updated and back in service' : 'never left service (its window did not start)';
    return {
      ...base,
      ...timed,
      status: 'failed',
      packages: pkgs.length,
      detail: h.phase === 'updated' ? `${h.state ?? 'updated'}; ${inServiceText}` : inServiceText,
      why: clip(
        inServiceText.replace(/^FAILED in service:\s*/, 'firmware without reboot failed in service: '),
        500,
      ),
      applied: h.phase === 'updated' ? reboot.map(appliedName) : [],
      where,
      next: nextForFailed(h, where, true),
    };
  }
  switch (h.phase) {
    case 'no_update':
      return {
        ...base,
        status: 'current',
        packages: 0,
        detail: h.state ?? 'already current; untouched',
        applied: [],
      };
    case 'skipped':
      return {
        ...base,
        status: 'skipped',
        packages: 0,
        detail: h.state ?? 'skipped; untouched',
        applied: [],
      };
    case 'failed':
      return {
        ...base,
        ...timed,
        status: 'failed',
        packages: pkgs.length,
        detail: withNote(h.state ?? `FAILED: ${h.error ?? 'unknown error'}`),
        ...(h.error ? { why: clip(h.error, 500) } : {}),
        applied: inServiceDone ? inService.map(appliedName) : [],
        ...(h.where ? { where: h.where } : {}),
        next: nextForFailed(h, h.where, false),
      };
    case 'in_progress':
      return {
        ...base,
        ...timed,
        status: 'interrupted',
        packages: pkgs.length,
        detail: withNote('state unknown: the update was interrupted'),
        applied: [],
        where: 'unknown: the update was interrupted while the host was out of service',
        next: `Check the host in vCenter (maintenance mode?) and its iDRAC, then run \`update host ${h.hostId}\`.`,
      };
    case 'updated': {
      const applied = [...reboot, ...(inServiceDone ? inService : [])];
      const missing = inService.length > 0 && !inServiceDone;
      return {
        ...base,
        ...timed,
        status: note?.status === 'running' ? 'interrupted' : missing ? 'partial' : 'updated',
        packages: applied.length,
        detail:
          missing && !note
            ? `${h.state ?? 'updated'}; firmware that needs no reboot not applied`
            : withNote(h.state ?? 'updated'),
        applied: applied.map(appliedName),
      };
    }
    default: {
      // Not started (or never reached: a preflight that failed, a dry run, a cancel before the rollout).
      const why = h.reason ? ` (${h.reason})` : '';
      if (inServiceDone)
        return {
          ...base,
          ...timed,
          status: 'partial',
          packages: inService.length,
          detail: `${inService.length} package(s) without reboot applied in service and verified; the ${reboot.length} that need a reboot were not applied: its window did not start${why}`,
          applied: inService.map(appliedName),
        };
      if (note?.status === 'running')
        return {
          ...base,
          status: 'interrupted',
          packages: pkgs.length,
          detail: `not started${why}; firmware without reboot interrupted (state unknown)`,
          applied: [],
          where: 'in service; its in-service firmware update was interrupted',
          next: `Check the iDRAC's job queue, then run \`update host ${h.hostId}\`.`,
        };
      return {
        ...base,
        status: 'not_started',
        packages: pkgs.length,
        detail: `not started${why}; untouched, nothing applied`,
        applied: [],
      };
    }
  }
}
