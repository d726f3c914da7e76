import type { ClusterCompliance } from '../catalog/cluster-compliance';

/** Rows per chat page: keeps a card or message well under Teams' 28 KB. */
export const COMPLIANCE_PAGE_SIZE = 25;

const STATUS: Record<ClusterCompliance['rows'][number]['status'], string> = {
  compliant: '✅ compliant',
  updates_available: '⬆️ updates',
  unknown: '❔ unknown',
};

/**
 * `compliance <cluster>` as a compact markdown table: a summary line, then one row per host (most
 * updates first), paginated for large clusters. Unknown hosts say why — never shown as compliant.
 */
export function formatClusterCompliance(
  c: ClusterCompliance,
  opts: { page?: number; pageSize?: number; catalogName?: string } = {},
): string {
  const size = opts.pageSize ?? COMPLIANCE_PAGE_SIZE;
  const pages = Math.max(1, Math.ceil(c.rows.length / size));
  const page = Math.min(Math.max(1, opts.page ?? 1), pages);
  const rows = c.rows.slice((page - 1) * size, page * size);
  const u = c.updates;
  const lines = [
    `**Compliance of ${c.clusterName}**${opts.catalogName ? ` against ${opts.catalogName}` : ''}: ${c.compliant}/${c.hosts} compliant, ${c.needingUpdate} need updates, ${c.unknown} unknown`,
    '',
    `Updates needed: ${u.Urgent} urgent, ${u.Recommended} recommended, ${u.Optional} optional`,
    '',
    '| host | status | updates | highest | reboot |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.hostName} | ${STATUS[r.status]}${r.status === 'unknown' && r.reason ? ` (${r.reason})` : ''} | ${r.updatesNeeded} | ${r.highestCriticality ?? '–'} | ${r.updatesNeeded ? (r.rebootRequired ? 'yes' : 'no') : '–'} |`,
    ),
  ];
  if (pages > 1)
    lines.push(
      '',
      `Page ${page} of ${pages} (\`compliance ${c.clusterName} page ${Math.min(page + 1, pages)}\`)`,
    );
  return lines.join('\n');
}
