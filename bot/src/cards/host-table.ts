import type { ReportHost } from '@rackops/core/jobs/job-report.schema';
import type { JobStep } from '@rackops/core/jobs/job.schema';
import type { JobHostView } from '@rackops/core/usecases/job-queries';
import { formatDuration, secondsBetween } from '@rackops/core/util/duration';
import { clip } from '@rackops/core/util/clip';
import { type Cell, type Element, tableRow } from './elements';
import { hostActivity } from './job-progress';
import { hostStepKey } from '@rackops/core/jobs/job-step';

/**
 * Status marks are text symbols, not emoji: they render in every font (Web Chat on a bare Linux box too) and
 * the word next to them says the same for anyone who does not tell colours apart.
 */
const REPORT_MARK: Record<ReportHost['status'], { mark: string; word: string; color?: string }> = {
  updated: { mark: '✔', word: 'updated', color: 'Good' },
  partial: { mark: '◐', word: 'partly updated', color: 'Warning' },
  current: { mark: '–', word: 'already current' },
  failed: { mark: '✖', word: 'FAILED', color: 'Attention' },
  interrupted: { mark: '⚠', word: 'interrupted', color: 'Warning' },
  not_started: { mark: '○', word: 'not started' },
  skipped: { mark: '↷', word: 'skipped' },
};

const PROGRESS_MARK: Record<JobHostView['phase'], { mark: string; word: string; color?: string }> = {
  pending: { mark: '·', word: 'waiting' },
  in_progress: { mark: '▶', word: 'updating', color: 'Accent' },
  updated: REPORT_MARK.updated,
  failed: REPORT_MARK.failed,
  not_started: REPORT_MARK.not_started,
  no_update: REPORT_MARK.current,
  skipped: REPORT_MARK.skipped,
};

export const hostName = (h: { hostId: string; name?: string | undefined }): string => h.name ?? h.hostId;

/**
 * Column widths shared by the header and the rows, so the columns line up: packages and time fit their
 * header, host and status share the rest (and wrap rather than cut "Reboot to ap…").
 */
const W = { mark: '20px', host: 5, status: 5, pkgs: '64px', time: '72px' } as const;

function header(labels: [string, string, string, string]): Element {
  const cell = (t: string, width: string | number, right = false): Cell => ({
    text: t,
    width,
    extra: {
      weight: 'Bolder',
      isSubtle: true,
      size: 'Small',
      ...(right ? { horizontalAlignment: 'Right' } : {}),
    },
  });
  return tableRow(
    [
      cell('', W.mark),
      cell(labels[0], W.host),
      cell(labels[1], W.status),
      cell(labels[2], W.pkgs, true),
      cell(labels[3], W.time, true),
    ],
    { spacing: 'Medium', separator: true },
  );
}

function line(
  m: { mark: string; word: string; color?: string },
  host: string,
  status: string,
  pkgs: string,
  time: string,
): Element {
  const color = m.color ? { color: m.color } : {};
  return tableRow([
    { text: m.mark, width: W.mark, extra: color },
    { text: host, width: W.host, extra: { wrap: true } },
    { text: status, width: W.status, extra: { ...color, wrap: true } },
    { text: pkgs, width: W.pkgs, extra: { horizontalAlignment: 'Right' } },
    { text: time, width: W.time, extra: { horizontalAlignment: 'Right', isSubtle: true, wrap: true } },
  ]);
}

/** A finished job's table: mark, host, result, packages, time out of service. */
export function reportTable(hosts: readonly ReportHost[]): Element[] {
  if (!hosts.length) return [];
  return [
    header(['Host', 'Result', 'Pkgs', 'Time']),
    ...hosts.map((h) => {
      const m = REPORT_MARK[h.status];
      const time = h.durationSeconds !== undefined ? formatDuration(h.durationSeconds) : '';
      return line(m, hostName(h), m.word, h.packages ? String(h.packages) : '–', time);
    }),
  ];
}

/** A running job's table: mark, host, what it is doing now, packages, since when / how long. */
export function progressTable(hosts: readonly JobHostView[], steps: readonly JobStep[]): Element[] {
  if (!hosts.length) return [];
  return [
    header(['Host', 'Now', 'Pkgs', 'Time']),
    ...hosts.map((h) => {
      const busy = h.phase === 'pending' && hostActivity(h.hostId, steps)?.status === 'running';
      // Waiting for its window but busy in service (its firmware without reboot): marked as working.
      const m = busy ? PROGRESS_MARK.in_progress : PROGRESS_MARK[h.phase];
      const window = steps.find((s) => s.key === hostStepKey(h.hostId));
      const now =
        h.phase === 'in_progress' || h.phase === 'pending' ? hostActivity(h.hostId, steps) : undefined;
      const doing = now?.status === 'running' ? now.name : m.word;
      const took = secondsBetween(window?.startedAt, window?.completedAt);
      const time =
        took !== undefined
          ? formatDuration(took)
          : window?.status === 'running'
            ? `since ${window.startedAt?.slice(11, 16) ?? ''}`
            : '';
      return line(m, hostName(h), clip(doing, 60), h.packages ? String(h.packages) : '', time);
    }),
  ];
}
