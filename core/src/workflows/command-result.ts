import type { RunSummary } from '../inventory/ingest-report';
import { formatDrops } from '../inventory/drop-guard';
import { CommandOutputs, type CommandKind } from '../relay/commands';
import { describeScpResult } from './scp-result-text';

export interface Fact {
  title: string;
  value: string;
}

/** What a single-command job produced: one line for the summary, facts for the card. Never raw JSON. */
export interface CommandResultText {
  summary: string;
  facts: Fact[];
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Inventory record types as an operator calls them, in the order they matter. */
const INVENTORY_NOUNS: [type: string, one: string, many: string][] = [
  ['vcenter', 'vCenter', 'vCenters'],
  ['cluster', 'cluster', 'clusters'],
  ['host', 'host', 'hosts'],
  ['vm', 'VM', 'VMs'],
  ['datastore', 'datastore', 'datastores'],
  ['network', 'network', 'networks'],
  ['server', 'server', 'servers'],
  ['firmware', 'firmware component', 'firmware components'],
];

function inventoryText(
  out: { pages: number; counts: Record<string, number>; warnings: string[] },
  run: RunSummary | undefined,
): CommandResultText {
  const known = new Set(INVENTORY_NOUNS.map(([t]) => t));
  const counted = [
    ...INVENTORY_NOUNS.filter(([t]) => out.counts[t] !== undefined).map(
      ([t, one, many]) => [plural(out.counts[t] ?? 0, one, many), t] as const,
    ),
    ...Object.entries(out.counts)
      .filter(([t]) => !known.has(t))
      .map(([t, n]) => [`${n} ${t}`, t] as const),
  ];
  // Fact titles are the plural noun, capitalised ("Clusters"), except names that start lower-case (vCenters).
  const facts: Fact[] = [
    ...INVENTORY_NOUNS.filter(([t]) => out.counts[t] !== undefined).map(([t, , many]) => ({
      title: many.startsWith('vC') ? many : `${many.charAt(0).toUpperCase()}${many.slice(1)}`,
      value: String(out.counts[t]),
    })),
    ...Object.entries(out.counts)
      .filter(([t]) => !known.has(t))
      .map(([t, n]) => ({ title: t, value: String(n) })),
  ];
  const warnings = out.warnings.length;
  if (run) {
    facts.push({ title: 'Changed', value: `${run.written} (new or different since the last sync)` });
    facts.push({ title: 'Unchanged', value: String(run.unchanged) });
    facts.push({
      title: 'Gone',
      value: run.held
        ? `none marked: ${formatDrops(run.held.drops)} since the last good sync; confirm below if the estate really shrank`
        : `${run.gone}${run.gone ? ' (no longer reported by the source)' : ''}`,
    });
    if (run.incomplete)
      facts.push({
        title: 'Unreadable',
        value: `${plural(run.incomplete, 'group')} not read in full: what they did not show was kept`,
      });
  }
  facts.push({
    title: 'Warnings',
    value: warnings
      ? `${warnings}: ${out.warnings.slice(0, 3).join('; ')}${warnings > 3 ? ' …' : ''}`
      : 'none',
  });
  const main = counted
    .filter(([, t]) => ['cluster', 'host', 'vm', 'server'].includes(t))
    .map(([text]) => text)
    .join(', ');
  const changes = run?.held
    ? `; ${run.written} changed, nothing marked gone (${formatDrops(run.held.drops)}: confirm or keep)`
    : run
      ? `; ${run.written} changed, ${run.gone} gone`
      : '';
  const warned = warnings ? `, ${plural(warnings, 'warning')}` : ', no warnings';
  return { summary: `inventory synced: ${main || `${out.pages} pages`}${changes}${warned}`, facts };
}

/**
 * A relay command's result in words, per kind (parsed with the command's own output schema). Unknown or
 * malformed results still get facts from their plain fields. `inventory` is what ingestion counted (changed,
 * gone) for an inventory sync. Pure.
 */
export function describeCommandResult(
  command: { kind?: string; params?: Record<string, unknown> } | undefined,
  result: unknown,
  inventory?: RunSummary,
): CommandResultText {
  const kind = command?.kind as CommandKind | undefined;
  if (kind === 'inventory.vcenter' || kind === 'inventory.ome') {
    const out = CommandOutputs[kind].safeParse(result);
    if (out.success) return inventoryText(out.data, inventory);
  }
  if (kind === 'scp.export') {
    const out = CommandOutputs['scp.export'].safeParse(result);
    if (out.success) {
      const { file, bytes, sha256, jobId, backupId } = out.data;
      const where = file ?? 'the relay agent’s SCP folder (this agent version does not name the file)';
      return {
        summary: `configuration backup (${formatBytes(bytes)}) saved by the relay agent to ${where}`,
        // The summary line names the file; the facts are what a restore checks it against.
        facts: [
          {
            title: 'Format',
            value: `${String(command?.params?.format ?? 'JSON')}, ${String(command?.params?.target ?? 'ALL')} components`,
          },
          { title: 'Size', value: formatBytes(bytes) },
          { title: 'iDRAC job', value: jobId },
          { title: 'SHA-256', value: sha256 },
          ...(backupId ? [{ title: 'Backup', value: backupId }] : []),
        ],
      };
    }
  }
  const scp = describeScpResult(command ?? {}, result);
  if (scp) return scp;
  if (kind === 'inventory.idrac') {
    const out = CommandOutputs['inventory.idrac'].safeParse(result);
    if (out.success) {
      const model = typeof out.data.server.model === 'string' ? out.data.server.model : 'server';
      return {
        summary: `${model}: ${plural(out.data.firmware.length, 'firmware component')} read`,
        facts: [
          { title: 'Model', value: model },
          { title: 'Firmware', value: plural(out.data.firmware.length, 'component') },
          {
            title: 'Warnings',
            value: out.data.warnings.length ? out.data.warnings.slice(0, 3).join('; ') : 'none',
          },
        ],
      };
    }
  }
  if (kind === 'inventory.health') {
    const out = CommandOutputs['inventory.health'].safeParse(result);
    if (out.success) {
      const bad = out.data.parts.filter((p) => !/^ok$/i.test(p.health));
      const logged = [...out.data.sel, ...out.data.lifecycleLog].length;
      return {
        summary: bad.length
          ? `hardware: ${bad.map((p) => `${p.part} ${p.health}`).join(', ')}`
          : `hardware: ${plural(out.data.parts.length, 'part')} OK`,
        facts: [
          ...out.data.parts.map((p) => ({ title: p.part, value: p.health })),
          { title: 'Log entries', value: `${logged} critical or warning` },
          ...(out.data.certificate
            ? [{ title: 'iDRAC certificate', value: `valid until ${out.data.certificate.notAfter}` }]
            : []),
          ...(out.data.warnings.length
            ? [{ title: 'Warnings', value: out.data.warnings.slice(0, 3).join('; ') }]
            : []),
        ],
      };
    }
  }
  if (kind === 'host.power') {
    const out = CommandOutputs['host.power'].safeParse(result);
    if (out.success) {
      const action = String(command?.params?.action ?? 'power');
      return {
        summary: out.data.changed
          ? `${action}: the server is now ${out.data.powerState}`
          : `${action}: nothing to do, the server is ${out.data.powerState}`,
        facts: [
          { title: 'Action', value: action },
          { title: 'Power', value: out.data.powerState },
        ],
      };
    }
  }
  if (kind === 'media.insert' || kind === 'media.eject') {
    const out = CommandOutputs[kind].safeParse(result);
    if (out.success) {
      const image: string | undefined = 'image' in out.data ? String(out.data.image) : undefined;
      const summary =
        kind === 'media.insert'
          ? `virtual media ${out.data.changed ? 'mounted' : 'was already mounted'}: ${image ?? ''}`
          : out.data.changed
            ? 'virtual media ejected'
            : 'nothing was mounted';
      return { summary, facts: image ? [{ title: 'Image', value: image }] : [] };
    }
  }
  return { summary: 'done', facts: plainFacts(result) };
}

/** The scalar fields of an object, as facts (for results without a description of their own). */
function plainFacts(result: unknown): Fact[] {
  if (!result || typeof result !== 'object' || Array.isArray(result)) return [];
  return Object.entries(result as Record<string, unknown>)
    .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
    .slice(0, 10)
    .map(([k, v]) => ({ title: k, value: String(v).slice(0, 200) }));
}
