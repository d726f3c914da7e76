import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LabClock } from '../src/clock';
import { startLab } from '../src/index';

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

describe('startLab', () => {
  it('starts the default lab quickly with one iDRAC per host, a catalog, and stops cleanly', async () => {
    const t = Date.now();
    const lab = await startLab(undefined, { services: { vcenter: false, ome: false } });
    const took = Date.now() - t;
    try {
      expect(took).toBeLessThan(2_000);
      expect(lab.endpoints.idracs).toHaveLength(12);
      expect(new Set(lab.endpoints.idracs.map((e) => e.url)).size).toBe(12);
      for (const e of lab.endpoints.idracs) {
        expect(e.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        expect(e).toMatchObject({ username: 'root', password: 'calvin', certSha256: lab.tls.certSha256 });
      }
      expect(lab.endpoints.catalogUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/catalog\/Catalog\.xml$/);
      expect(lab.world.vms.size).toBe(120);
      expect([...lab.world.vms.values()].find((v) => v.isVcenterAppliance)?.clusterId).toBe('lab-a');
    } finally {
      await lab.stop();
    }
    const ports = lab.endpoints.idracs.map((e) => Number(new URL(e.url).port));
    expect(await Promise.all(ports.map(refused))).toEqual(ports.map(() => true));
  });

  it('lists each host’s firmware with capture ids and the latest version per package (for the catalog)', async () => {
    const lab = await startLab(undefined, { services: { vcenter: false, ome: false, catalog: false } });
    try {
      const outdated = lab.world.firmwareComponents('LABA001');
      const bios = outdated.find((c) => c.fqdd === 'BIOS.Setup.1-1')!;
      expect(bios).toMatchObject({
        id: 'Installed-159-1.8.2__BIOS.Setup.1-1',
        softwareId: '159',
        version: '1.8.2',
      });
      const disk = outdated.find((c) => c.fqdd.startsWith('Disk.Bay.0'))!;
      expect(disk.pci).toEqual({
        vendorId: '1E0F',
        deviceId: '0007',
        subVendorId: '1028',
        subDeviceId: '207E',
      });
      const latest = lab.world.latestFirmware();
      expect(latest.find((p) => p.packageKey === 'sw159')?.version).toBe('1.13.2');
      // LABA004 is on the latest firmware.
      const current = lab.world.firmwareComponents('LABA004');
      for (const p of latest) {
        for (const fqdd of p.fqdds) expect(current.find((c) => c.fqdd === fqdd)?.version).toBe(p.version);
      }
    } finally {
      await lab.stop();
    }
  });

  it('scales every duration with one time scale', () => {
    const clock = new LabClock(1 / 60);
    expect(clock.scaled(60_000)).toBe(1_000);
    expect(new LabClock(1 / 6000).scaled(1)).toBe(1);
    expect(() => new LabClock(0)).toThrow(RangeError);
    clock.dispose();
  });
});
