import type { AdaptiveCard } from '@microsoft/teams-ai';
import { type HostHealthRow, ROW_PARTS } from '@rackops/core/usecases/health-hosts';
import { HEALTH_ORDER, type HealthReport, type HealthState } from '@rackops/core/usecases/health-report';
import { type Element, card, container, heading, tableRow, text, toggle } from './elements';

export const HEALTH_ICON: Record<HealthState, string> = {
  critical: '🔴',
  warning: '🟠',
  unknown: '⚪',
  ok: '🟢',
};

/** Rows past this are counted, not drawn; log entries per host likewise: the card stays well under 28 KB. */
export const MAX_HEALTH_ROWS = 40;
export const LOG_ENTRIES_PER_HOST = 3;
/** Lines per check: a fleet with many bad servers still fits. */
const CHECK_ITEMS = 10;

const COLUMN_TITLE: Record<(typeof ROW_PARTS)[number], string> = {
  system: 'Sys',
  processors: 'CPU',
  memory: 'Mem',
  storage: 'Disk',
  power: 'PSU',
  fans: 'Fans',
};

/** A rollup as one glyph (its word in the legend); `–` when the iDRAC did not say or was never read. */
function partGlyph(health: string | undefined): string {
  if (health === undefined) return '–';
  const h = health.toLowerCase();
  if (/crit|fail|error|fault/.test(h)) return HEALTH_ICON.critical;
  if (/warn|degrad/.test(h)) return HEALTH_ICON.warning;
  if (/^(ok|healthy|normal|good)$/.test(h)) return HEALTH_ICON.ok;
  return HEALTH_ICON.unknown;
}

const DAY = 86_400_000;

/** iDRAC reachability and certificate expiry in a few words. */
export function idracCell(row: HostHealthRow, now: Date): string {
  if (row.idracReachable === undefined) return 'not read';
  if (!row.idracReachable) return '✗ unreachable';
  if (!row.certificateNotAfter) return '✓ cert ?';
  const days = Math.floor((Date.parse(row.certificateNotAfter) - now.getTime()) / DAY);
  if (!Number.isFinite(days)) return '✓ cert ?';
  return days < 0 ? `✓ cert expired ${-days} d ago` : `✓ cert ${days} d`;
}

/** The check lines (`- 🟠 **jobs** — …` and their items), one TextBlock per check, worst first. */
function checkBlocks(report: HealthReport): Element[] {
  return report.checks.map((c) =>
    text(
      [
        `- ${HEALTH_ICON[c.state]} **${c.name}** — ${c.detail}`,
        ...c.items.slice(0, CHECK_ITEMS).map((i) => `  - ${i}`),
        ...(c.items.length > CHECK_ITEMS ? [`  - … and ${c.items.length - CHECK_ITEMS} more`] : []),
      ].join('\n'),
      { spacing: 'Small' },
    ),
  );
}

function countsRow(hosts: readonly HostHealthRow[]): Element {
  return tableRow(
    HEALTH_ORDER.map((s) => ({
      text: `${HEALTH_ICON[s]} **${hosts.filter((h) => h.state === s).length}** ${s}`,
      width: 'stretch',
    })),
    { separator: true },
  );
}

function hostTable(hosts: readonly HostHealthRow[], now: Date): Element[] {
  const bold = { weight: 'Bolder' };
  const header = tableRow(
    [
      { text: 'Host', width: 4, extra: bold },
      { text: 'State', width: 2, extra: bold },
      ...ROW_PARTS.map((p) => ({ text: COLUMN_TITLE[p], width: 1, extra: bold })),
      { text: 'iDRAC', width: 3, extra: bold },
    ],
    { separator: true },
  );
  const rows = hosts.slice(0, MAX_HEALTH_ROWS).flatMap((h) => [
    tableRow([
      {
        text: `${h.serviceTag}${h.hostName ? ` · ${h.hostName}` : ''}`,
        width: 4,
        extra: { wrap: true, size: 'Small' },
      },
      { text: `${HEALTH_ICON[h.state]} ${h.state}`, width: 2 },
      ...ROW_PARTS.map((p) => ({ text: partGlyph(h.parts[p]), width: 1 })),
      { text: idracCell(h, now), width: 3, extra: { wrap: true, size: 'Small' } },
    ]),
    // Why a host is not ok, under its row.
    ...(h.problems.length
      ? [text(h.problems.join(' · '), { size: 'Small', isSubtle: true, spacing: 'None' })]
      : []),
  ]);
  const more = hosts.length - Math.min(hosts.length, MAX_HEALTH_ROWS);
  return [header, ...rows, ...(more > 0 ? [text(`…and ${more} more server(s)`)] : [])];
}

/**
 * Each host's newest critical/warning SEL and LC entries, hidden until asked for: they are history the iDRAC
 * keeps (a repaired part's entry stays until someone clears the log), not the host's state, which is its
 * rollups now.
 */
function recentLog(hosts: readonly HostHealthRow[]): { body: Element[]; actions: Element[] } {
  const withLog = hosts.slice(0, MAX_HEALTH_ROWS).filter((h) => h.recentLog.length > 0);
  if (!withLog.length) return { body: [], actions: [] };
  const id = 'health-recent-log';
  const lines = withLog.flatMap((h) => [
    text(`**${h.serviceTag}**${h.hostName ? ` · ${h.hostName}` : ''}`, { spacing: 'Small' }),
    ...h.recentLog.slice(0, LOG_ENTRIES_PER_HOST).map((e) =>
      text(`${e.log} ${e.severity.toLowerCase()} ${e.created}: ${e.message}`, {
        size: 'Small',
        spacing: 'None',
      }),
    ),
  ]);
  return {
    body: [
      container(
        [
          text('Recent log entries (history; the state above is the rollups now)', {
            weight: 'Bolder',
          }),
          ...lines,
        ],
        { id, isVisible: false, separator: true },
      ),
    ],
    actions: [toggle(`Recent log entries (${withLog.length} host(s))`, [id])],
  };
}

/**
 * `health`, `health cluster X`, `health host Y`: the overall state, servers by state (worst first), the checks,
 * a row per server (rollups, iDRAC, certificate) worst first, and its recent log entries on demand.
 */
export function healthCard(report: HealthReport, now: Date): AdaptiveCard {
  const log = recentLog(report.hosts);
  return card(
    [
      heading(`**Health** — ${report.scope}: ${HEALTH_ICON[report.state]} ${report.state}`),
      ...(report.hosts.length ? [countsRow(report.hosts)] : []),
      container(checkBlocks(report), { separator: true }),
      ...(report.hosts.length ? hostTable(report.hosts, now) : [text('No servers in the inventory.')]),
      ...log.body,
    ],
    log.actions,
  );
}

/** The message's text beside the card (notifications, screen readers): the overall state and the counts. */
export function healthSummary(report: HealthReport): string {
  const counts = HEALTH_ORDER.map((s) => [s, report.hosts.filter((h) => h.state === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  return `**Health** — ${report.scope}: ${HEALTH_ICON[report.state]} ${report.state}${counts.length ? ` · servers: ${counts.join(', ')}` : ''}`;
}
