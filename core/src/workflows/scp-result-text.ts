import { CommandOutputs, type CommandOutputOf } from '../relay/commands';
import type { BackupRecord } from '../scp/backup-record';
import type { CommandResultText, Fact } from './command-result';

const bytes = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1048576 ? `${Math.round(n / 1024)} KB` : `${(n / 1048576).toFixed(1)} MB`;

/** How many diff lines a card shows; the total is always stated. */
const SHOWN = 25;

type Diff = CommandOutputOf<'scp.diff'>['diff'];

/** `diff` as lines `FQDD Name: from → to`; `reverse` reads a backup → host diff as host → backup (a restore preview). */
export function diffLines(diff: Diff, reverse = false): string[] {
  const lines: string[] = [];
  for (const c of diff.components) {
    for (const a of c.changed)
      lines.push(`${c.fqdd} ${a.name}: ${reverse ? a.to : a.from} → ${reverse ? a.from : a.to}`);
    for (const a of reverse ? c.removed : c.added) lines.push(`${c.fqdd} ${a.name}: (none) → ${a.value}`);
    for (const a of reverse ? c.added : c.removed) lines.push(`${c.fqdd} ${a.name}: ${a.value} → (none)`);
  }
  return lines;
}

function diffFacts(lines: string[], total: number): Fact[] {
  const shown = lines.slice(0, SHOWN).map((l, i) => ({ title: String(i + 1), value: l }));
  if (total > shown.length) shown.push({ title: '…', value: `${total - shown.length} more not shown` });
  return shown;
}

export function backupLine(b: BackupRecord): string {
  const fw = Object.entries(b.firmware)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const why = [b.by, b.reason].filter(Boolean).join(': ');
  return [b.id, bytes(b.bytes), fw || 'firmware unknown', why || 'reason unknown'].join(' · ');
}

/** The SCP commands' results in words (list, diff, restore); undefined when the result is not one. */
export function describeScpResult(
  command: { kind?: string; params?: Record<string, unknown>; target?: { id?: string } },
  result: unknown,
): CommandResultText | undefined {
  const host = command.target?.id ?? 'the host';
  if (command.kind === 'scp.backups') {
    const out = CommandOutputs['scp.backups'].safeParse(result);
    if (!out.success) return undefined;
    const { backups, total } = out.data;
    return {
      summary: total
        ? `${total} configuration backup(s) of ${host}, newest ${backups[0]?.takenAt ?? ''}`
        : `no configuration backups of ${host} on the relay agent yet (\`scp export ${host}\` takes one)`,
      facts: backups
        .slice(0, SHOWN)
        .map((b) => ({ title: b.takenAt.replace(/\.\d+Z$/, 'Z'), value: backupLine(b) })),
    };
  }
  if (command.kind === 'scp.diff') {
    const out = CommandOutputs['scp.diff'].safeParse(result);
    if (!out.success) return undefined;
    const preview = command.params?.purpose === 'restore-preview';
    const { diff, from, to } = out.data;
    const lines = diffLines(diff, preview);
    const summary = preview
      ? diff.total
        ? `restoring ${from} would change ${diff.total} attribute(s) on ${host}; to run it: \`scp restore ${host} ${from} [graceful|forced|no-reboot] confirm\``
        : `${host} already matches ${from}: a restore would change nothing`
      : diff.total
        ? `${diff.total} attribute(s) differ from ${from} to ${to === 'current' ? `${host} now` : to}`
        : `no attribute differs from ${from} to ${to === 'current' ? `${host} now` : to}`;
    return { summary, facts: diffFacts(lines, diff.total) };
  }
  if (command.kind === 'scp.import') {
    const out = CommandOutputs['scp.import'].safeParse(result);
    if (!out.success) return undefined;
    const r = out.data;
    const summary = r.alreadyApplied
      ? `${host} already matched ${r.backupId}: nothing imported`
      : r.verified
        ? `${r.backupId} restored onto ${host} (${r.changes} attribute(s)); re-export matches the backup`
        : `${r.backupId} imported onto ${host}, but ${r.remaining.total} attribute(s) still differ on re-export`;
    return {
      summary,
      facts: [
        ...(r.jobId ? [{ title: 'iDRAC job', value: `${r.jobId} ${r.jobState ?? ''}`.trim() }] : []),
        ...(r.message ? [{ title: 'iDRAC says', value: r.message.slice(0, 300) }] : []),
        { title: 'Verified', value: r.verified ? 'yes (re-export equals the backup)' : 'no' },
        ...diffFacts(diffLines(r.remaining), r.remaining.total),
      ],
    };
  }
  return undefined;
}

/** A restore whose re-export still differs from the backup fails its job with this problem (code first). */
export function scpRestoreProblem(
  command: { kind?: string } | undefined,
  result: unknown,
): string | undefined {
  if (command?.kind !== 'scp.import') return undefined;
  const out = CommandOutputs['scp.import'].safeParse(result);
  if (!out.success || out.data.verified) return undefined;
  const first = diffLines(out.data.remaining).slice(0, 3).join('; ');
  return `scp_restore_unverified: after importing ${out.data.backupId}, ${out.data.remaining.total} attribute(s) still differ from the backup (${first})${out.data.message ? ` — iDRAC: ${out.data.message}` : ''}`;
}
