import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCapture } from '../src/idrac/capture';
import { packMockup, PRUNED_SUBTREES, readMockupTree, unpackMockup } from '../src/idrac/capture-pack';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function mockup(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rackops-mockup-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path), { recursive: true });
    writeFileSync(join(dir, path, 'index.json'), text);
  }
  return dir;
}

describe('the vendored capture pack', () => {
  it('round-trips a mockup tree byte for byte and leaves out the pruned subtrees', () => {
    const dir = mockup({
      'redfish/v1': '{"Id":"RootService"}',
      'redfish/v1/Systems/System.Embedded.1': '{ "SKU" : "F54P1G3" }\n',
      [`${PRUNED_SUBTREES[0]!.slice(1)}`]: '{"huge":true}',
      [`${PRUNED_SUBTREES[0]!.slice(1)}/Child`]: '{"huge":true}',
    });
    const texts = unpackMockup(packMockup(readMockupTree(dir)), 'test');
    expect([...texts.keys()]).toEqual(['/redfish/v1', '/redfish/v1/Systems/System.Embedded.1']);
    expect(texts.get('/redfish/v1/Systems/System.Embedded.1')).toBe('{ "SKU" : "F54P1G3" }\n');
  });

  it('refuses what is not a pack, saying which file', () => {
    expect(() => unpackMockup(Buffer.from('plain'), 'x.json.gz')).toThrow(/x\.json\.gz is not a gzip'd JSON/);
    const badPath = gzipSync(JSON.stringify({ format: 1, resources: { '/etc/passwd': '{}' } }));
    expect(() => unpackMockup(badPath, 'y.json.gz')).toThrow(/y\.json\.gz is not a capture pack/);
  });

  it('is in the repository: the lab loads the R750 from it without anything beside the project', () => {
    const capture = loadCapture();
    expect(capture.file).toMatch(/lab\/fixtures\/redfish\/dell-poweredge-r750\/capture\.json\.gz$/);
    expect(capture.texts.size).toBeGreaterThan(800);
    const system = capture.json('/redfish/v1/Systems/System.Embedded.1') as {
      SKU: string;
      Oem: { Dell: { DellSystem: { SystemID: number } } };
    };
    expect(system.SKU).toBe('F54P1G3');
    expect(system.Oem.Dell.DellSystem.SystemID).toBe(2318);
  });
});
