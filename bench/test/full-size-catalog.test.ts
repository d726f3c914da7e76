import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCatalogStreaming } from '@rackops/core/catalog/catalog-sax';
import { decodeCatalogBytes, parseCatalogXml } from '@rackops/core/catalog/catalog-xml';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFullSizeCatalog } from '../src/catalog/full-size-catalog';

const dir = mkdtempSync(join(tmpdir(), 'rackops-catalog-gen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the generated Dell-layout catalog (bench input)', () => {
  it('reads the same with the streaming and the former reader, whole and fleet-only', () => {
    const file = join(dir, 'Catalog.xml');
    const gen = writeFullSizeCatalog(file, 600);
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    const old = parseCatalogXml(decodeCatalogBytes(bytes));
    expect(old.components).toHaveLength(gen.components);
    expect(old.components.some((c) => c.devices.some((d) => d.pci.length > 0))).toBe(true);
    expect(parseCatalogStreaming(bytes)).toEqual(old);
    const fleet = gen.models.slice(0, 5);
    const only = parseCatalogStreaming(bytes, { systemIds: fleet });
    const expected = old.components
      .filter((c) => c.systemIds.some((s) => fleet.includes(s)))
      .map((c) => ({ ...c, systemIds: [...new Set(c.systemIds.filter((s) => fleet.includes(s)))] }));
    expect(expected.length).toBeGreaterThan(0);
    expect(only.components).toEqual(expected);
  });
});
