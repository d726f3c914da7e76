import { INVENTORY_TYPES } from '@rackops/core/inventory/inventory.schema';
import type { HardwareHealth } from '@rackops/core/relay/hardware-health.schema';
import { HARDWARE_HEALTH_TYPE } from '@rackops/core/usecases/hardware-health';
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardBytes } from '../src/cards/elements';
import { markupHazards } from '../src/testing/chat-markup';
import { cardOf, cardTexts } from '../src/testing/harness';
import { type BotFixture, USERS, startBotFixture } from './support/bot-fixture';

const DAY = 86_400_000;
const LC_CERT = 'The SecureBoot certificate export operation failed.';
const PSU_LOST = 'Power supply 2 is lost.';

const read = (tag: string, over: Partial<HardwareHealth> = {}): HardwareHealth => ({
  hostId: tag,
  readAt: new Date().toISOString(),
  parts: (['system', 'processors', 'memory', 'storage', 'power', 'fans', 'temperature'] as const).map(
    (part) => ({ part, health: 'OK' }),
  ),
  sel: [],
  // Every host of the capture keeps this one: history, not the server's state.
  lifecycleLog: [{ id: '1', created: '2026-11-01T10:00:00Z', severity: 'Critical', message: LC_CERT }],
  certificate: { notAfter: new Date(Date.now() + 400.5 * DAY).toISOString() },
  warnings: [],
  ...over,
});

const server = (tag: string, health: string) => ({
  type: INVENTORY_TYPES.server,
  id: tag,
  data: { serviceTag: tag, model: 'PowerEdge R750', idracId: tag, health, source: 'idrac' as const },
});

/** The newest card reply, and its words line by line. */
function cardOfReplies(replies: Partial<Activity>[]) {
  const c = replies.map((r) => cardOf(r)).find(Boolean);
  if (!c) throw new Error(`no card in ${JSON.stringify(replies.map((r) => r.text))}`);
  return { card: c, lines: cardTexts(c), text: replies.map((r) => r.text ?? '').join('\n') };
}

/** The host rows of the table (host cell, state cell, six rollups, iDRAC), in card order. */
function hostRows(c: ReturnType<typeof cardOfReplies>['card']): string[][] {
  const rows: string[][] = [];
  for (const el of (c.body ?? []) as Record<string, unknown>[]) {
    if (el.type !== 'ColumnSet') continue;
    const cells = (el.columns as { items: { text: string }[] }[]).map((col) => col.items[0]?.text ?? '');
    if (cells.length === 9 && cells[0] !== 'Host') rows.push(cells);
  }
  return rows;
}

describe('health card: the fleet, a cluster, a host', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
    await f.store.putRecord(server('PROD001', 'OK'));
    const reads: HardwareHealth[] = [
      read('LABA001'),
      read('LABA002', {
        parts: [
          { part: 'system', health: 'Critical' },
          { part: 'power', health: 'Critical' },
          { part: 'fans', health: 'OK' },
        ],
        sel: [{ id: '7', created: '2026-12-01T08:00:00Z', severity: 'Critical', message: PSU_LOST }],
      }),
      read('LABA003', {
        parts: [
          { part: 'system', health: 'Warning' },
          { part: 'fans', health: 'Warning' },
        ],
        certificate: { notAfter: new Date(Date.now() + 5.5 * DAY).toISOString() },
      }),
      { ...read('LABA004'), parts: [], lifecycleLog: [], unreachable: 'connect ECONNREFUSED' },
    ];
    for (const r of reads) await f.store.putRecord({ type: HARDWARE_HEALTH_TYPE, id: r.hostId, data: r });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('the fleet: counts by state and a row per server, worst first, with rollups, iDRAC and certificate', async () => {
    const { card, lines, text } = cardOfReplies(await f.harness.say(USERS.viewer, 'health'));
    // PROD001's inventory says OK but its hardware was never read: unknown in the counts, its row and the checks.
    expect(text).toMatch(
      /^\*\*Health\*\* — fleet: 🔴 critical · servers: 1 critical, 2 warning, 1 unknown, 1 ok$/,
    );
    expect(lines[0]).toBe('**Health** — fleet: 🔴 critical');
    expect(lines.slice(1, 5)).toEqual([
      '🔴 **1** critical',
      '🟠 **2** warning',
      '⚪ **1** unknown',
      '🟢 **1** ok',
    ]);
    const rows = hostRows(card);
    expect(rows.map((r) => `${r[0]} ${r[1]}`)).toEqual([
      'LABA002 · esx-lab-a-2 🔴 critical',
      'LABA003 · esx-lab-a-3 🟠 warning',
      'LABA004 · esx-lab-a-4 🟠 warning',
      'PROD001 · esx-prod-a-1 ⚪ unknown',
      'LABA001 · esx-lab-a-1 🟢 ok',
    ]);
    // Sys CPU Mem Disk PSU Fans: a glyph each, `–` where the iDRAC did not say; then the iDRAC.
    expect(rows[0]?.slice(2)).toEqual(['🔴', '–', '–', '–', '🔴', '🟢', '✓ cert 400 d']);
    expect(rows[1]?.slice(2)).toEqual(['🟠', '–', '–', '–', '–', '🟠', '✓ cert 5 d']);
    expect(rows[2]?.[8]).toBe('✗ unreachable');
    expect(rows[3]?.slice(2)).toEqual(['–', '–', '–', '–', '–', '–', 'not read']);
    expect(rows[4]?.slice(2)).toEqual(['🟢', '🟢', '🟢', '🟢', '🟢', '🟢', '✓ cert 400 d']);
    expect(lines).toContain(
      'never read: its health is read by `inventory.health` (on `inventory sync` and the inventory schedule)',
    );
    expect(lines.find((l) => l.startsWith('- ⚪ **hardware**') || l.startsWith('- 🔴 **hardware**'))).toMatch(
      /1 critical, 2 warning, 1 unknown, 1 ok/,
    );
    // Why each host is not ok, under its row.
    expect(lines).toContain('system: Critical · power: Critical');
    expect(lines).toContain('iDRAC not reachable: connect ECONNREFUSED');
    expect(
      lines.some((l) => /^system: Warning · fans: Warning · iDRAC certificate expires in 5 day/.test(l)),
    ).toBe(true);
    expect(cardBytes(card)).toBeLessThan(28 * 1024);
    // Web Chat's markdown would eat a tag or an entity.
    expect(markupHazards(lines.join('\n'))).toEqual([]);
  });

  it('a critical LC entry of a host rated ok is history: not in the hardware check, under "recent log entries"', async () => {
    const { card, lines } = cardOfReplies(await f.harness.say(USERS.viewer, 'health'));
    const hardware = lines.find((l) => l.startsWith('- 🔴 **hardware**')) ?? '';
    expect(hardware).toContain(
      'critical · LABA002 (esx-lab-a-2): recent log entry: SEL critical 2026-12-01T08:00:00Z: Power supply',
    );
    // The ok host's entry is not listed beside its state; the critical host's LC entry is, labelled.
    expect(hardware).not.toContain('LABA001');
    expect(hardware).not.toMatch(/^ {2}- ok · /m);
    // All of them, newest first per host, in the hidden section the button shows.
    const log = lines.slice(
      lines.indexOf('Recent log entries (history; the state above is the rollups now)'),
    );
    expect(log.length).toBeGreaterThan(1);
    expect(log).toContain('**LABA001** · esx-lab-a-1');
    expect(log).toContain(`LC critical 2026-11-01T10:00:00Z: ${LC_CERT}`);
    const i = log.indexOf('**LABA002** · esx-lab-a-2');
    expect(log.slice(i + 1, i + 3)).toEqual([
      `SEL critical 2026-12-01T08:00:00Z: ${PSU_LOST}`,
      `LC critical 2026-11-01T10:00:00Z: ${LC_CERT}`,
    ]);
    expect(JSON.stringify(card.actions)).toContain('Action.ToggleVisibility');
  });

  it('`health cluster` and `health host` are the same card for their servers only', async () => {
    const cluster = cardOfReplies(await f.harness.say(USERS.viewer, 'health cluster lab-a'));
    expect(cluster.lines[0]).toBe('**Health** — cluster lab-a: 🔴 critical');
    expect(hostRows(cluster.card).map((r) => r[0]?.split(' ')[0])).toEqual([
      'LABA002',
      'LABA003',
      'LABA004',
      'LABA001',
    ]);
    const host = cardOfReplies(await f.harness.say(USERS.viewer, 'health host LABA001'));
    const rows = hostRows(host.card);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.[1]).toBe('🟢 ok');
    expect(host.lines).toContain(`LC critical 2026-11-01T10:00:00Z: ${LC_CERT}`);
  });
});
