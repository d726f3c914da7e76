import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogParseError } from '@rackops/core/catalog/catalog-errors';
import { type CatalogServer, startCatalogServer } from '@rackops/lab/catalog/catalog-server';
import { DEFAULT_LAB } from '@rackops/lab/config/default-lab';
import { createLabCert, type LabCert } from '@rackops/lab/tls/lab-cert';
import { createWorld } from '@rackops/lab/world/create-world';
import type { World } from '@rackops/lab/world/world';
import type { Job } from '@rackops/core/jobs/job.schema';
import { CatalogUnavailableError, loadCatalog } from '../src/handlers/inventory-catalog';
import { catalogFromLocation } from '../src/handlers/job-ops.handler';

let world: World;
let cert: LabCert;
let server: CatalogServer;
let dir: string;

beforeAll(async () => {
  world = createWorld(DEFAULT_LAB, { timeScale: 0.001 });
  cert = await createLabCert();
  server = await startCatalogServer(world, { tls: cert });
  dir = mkdtempSync(join(tmpdir(), 'rackops-catalog-'));
});
afterAll(async () => {
  await server?.stop();
  world?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('loading the firmware catalog at run time', () => {
  it('reads the lab repository over HTTPS, trusting its CA', async () => {
    const { catalog, location } = await loadCatalog({ url: server.catalogUrl, ca: cert.cert });
    expect(location).toBe(server.catalogUrl);
    expect(catalog.components.length).toBe(world.latestFirmware().length);
  });

  it('reads a self-signed repository by pinned certificate fingerprint, and refuses another certificate', async () => {
    const ok = await loadCatalog({ url: server.catalogUrl, certSha256: cert.sha256 });
    expect(ok.catalog.components.length).toBeGreaterThan(0);
    const wrong = cert.sha256.replace(/^../, cert.sha256.startsWith('00') ? '11' : '00');
    await expect(loadCatalog({ url: server.catalogUrl, certSha256: wrong })).rejects.toThrow(
      /not the pinned/,
    );
  });

  it('keeps the pin across fetches in one process: three pinned loads in a row all succeed', async () => {
    // The second rollout of one `npm start` re-reads the catalog on a kept-alive or resumed TLS
    // connection, where the response socket no longer carries the peer certificate.
    for (let i = 0; i < 3; i++) {
      const { catalog } = await loadCatalog({ url: server.catalogUrl, certSha256: cert.sha256 });
      expect(catalog.components.length).toBe(world.latestFirmware().length);
    }
  });

  it('never skips TLS verification: an untrusted certificate fails', async () => {
    await expect(loadCatalog({ url: server.catalogUrl })).rejects.toBeInstanceOf(CatalogUnavailableError);
  });

  it('reports a missing catalog as unavailable', async () => {
    const url = server.catalogUrl.replace('Catalog.xml', 'Nope.xml');
    await expect(loadCatalog({ url, ca: cert.cert })).rejects.toThrow(/HTTP 404/);
  });

  it('reads a catalog file, and names the file when it is malformed', async () => {
    const good = join(dir, 'Catalog.xml');
    writeFileSync(good, server.repo.catalogXml('repo.example.test/catalog'));
    expect((await loadCatalog({ file: good })).catalog.baseLocation).toBe('repo.example.test/catalog');
    const bad = join(dir, 'broken.xml');
    writeFileSync(bad, server.repo.catalogXml().slice(0, 2000));
    await expect(loadCatalog({ file: bad })).rejects.toBeInstanceOf(CatalogParseError);
    await expect(loadCatalog({ file: bad })).rejects.toThrow(/broken\.xml: catalog is not well-formed XML/);
    await expect(loadCatalog({ file: join(dir, 'absent.xml') })).rejects.toBeInstanceOf(
      CatalogUnavailableError,
    );
  });

  it("gives job-ops' preflight the catalog of its location (the reader loaded on first use)", async () => {
    const file = join(dir, 'Preflight.xml');
    writeFileSync(file, server.repo.catalogXml('repo.example.test/preflight'));
    const job = { params: {} } as unknown as Job;
    const loaded = await catalogFromLocation({ file }).load(job);
    expect(loaded.catalog.baseLocation).toBe('repo.example.test/preflight');
    expect(loaded.url).toBe(file);
    await expect(catalogFromLocation({ file: join(dir, 'absent.xml') }).load(job)).rejects.toBeInstanceOf(
      CatalogUnavailableError,
    );
  });

  it('streams the lab catalog over HTTPS, keeping only the asked models when told', async () => {
    const { catalog: all } = await loadCatalog({ url: server.catalogUrl, ca: cert.cert });
    const model = all.components[0]?.systemIds[0] ?? 'none';
    const { catalog: one } = await loadCatalog(
      { url: server.catalogUrl, ca: cert.cert },
      { systemIds: [model] },
    );
    const expected = all.components
      .filter((c) => c.systemIds.includes(model))
      .map((c) => ({ ...c, systemIds: [model] }));
    expect(expected.length).toBeGreaterThan(0);
    expect(one.components).toEqual(expected);
  });
});
