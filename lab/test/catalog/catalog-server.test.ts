import { createHash } from 'node:crypto';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogMatcher, hostCompliance, packageUrl } from '@rackops/core/catalog/catalog-match';
import { decodeCatalogBytes, parseCatalogXml } from '@rackops/core/catalog/catalog-xml';
import type { Catalog } from '@rackops/core/catalog/catalog.schema';
import { type CatalogServer, startCatalogServer } from '../../src/catalog/catalog-server';
import { DEFAULT_LAB } from '../../src/config/default-lab';
import { createLabCert, type LabCert } from '../../src/tls/lab-cert';
import { parsePackageFileName } from '../../src/world/firmware';
import { createWorld } from '../../src/world/create-world';
import type { World } from '../../src/world/world';

function get(url: string, ca: string): Promise<{ status: number; body: Buffer; type?: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks),
          type: res.headers['content-type'],
        }),
      );
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

let world: World;
let cert: LabCert;
let server: CatalogServer;
let catalog: Catalog;

beforeAll(async () => {
  world = createWorld(DEFAULT_LAB, { timeScale: 0.001 });
  cert = await createLabCert();
  server = await startCatalogServer(world, { tls: cert });
  const res = await get(server.catalogUrl, cert.cert);
  expect(res.status).toBe(200);
  catalog = parseCatalogXml(decodeCatalogBytes(res.body));
});
afterAll(async () => {
  await server?.stop();
  world?.stop();
});

describe('lab firmware repository', () => {
  it('serves a Dell-style Catalog.xml (UTF-16 with BOM) for the lab model', async () => {
    const raw = await get(server.catalogUrl, cert.cert);
    expect([raw.body[0], raw.body[1]]).toEqual([0xff, 0xfe]);
    expect(catalog.components.length).toBe(world.latestFirmware().length);
    expect(catalog.components.every((c) => c.systemIds.includes('090E'))).toBe(true);
    expect(catalog.baseLocation).toMatch(/^127\.0\.0\.1:\d+\/catalog$/);
  });

  it('offers newer versions than an outdated host runs, matched by ids', () => {
    const outdated = [...world.hosts.values()].find((h) =>
      world.firmwareComponents(h.id).some((f) => f.fqdd === 'BIOS.Setup.1-1' && f.version === '1.8.2'),
    );
    expect(outdated).toBeDefined();
    const firmware = world.firmwareComponents(outdated!.id);
    const result = hostCompliance(
      createCatalogMatcher(catalog),
      { serviceTag: outdated!.id, systemId: 2318 },
      firmware.map((f) => ({ ...f, updateable: f.updateable })),
    );
    expect(result.status).toBe('updates_available');
    const bios = result.components.find((c) => c.fqdd === 'BIOS.Setup.1-1');
    expect(bios).toMatchObject({
      installed: '1.8.2',
      available: '1.13.2',
      updateNeeded: true,
      criticality: 'Urgent',
    });
    // PCI-matched (SoftwareId 0) components get packages too.
    expect(result.components.find((c) => c.fqdd === 'InfiniBand.Slot.7-1')?.updateNeeded).toBe(true);
  });

  it('serves every package with the hashes the catalog states, under names the iDRAC sim understands', async () => {
    for (const c of catalog.components.slice(0, 5)) {
      const url = packageUrl(catalog, c.path);
      const res = await get(url, cert.cert);
      expect(res.status).toBe(200);
      expect(createHash('sha256').update(res.body).digest('hex')).toBe(c.sha256);
      expect(createHash('md5').update(res.body).digest('hex')).toBe(c.hashMd5);
      expect(res.body.subarray(0, 2).toString('latin1')).toBe('MZ');
      expect(parsePackageFileName(url)?.version).toBe(c.vendorVersion);
    }
  });

  it('answers 404 for an unknown package', async () => {
    const res = await get(server.catalogUrl.replace('Catalog.xml', 'FOLDER9999/1/nope.EXE'), cert.cert);
    expect(res.status).toBe(404);
  });
});
