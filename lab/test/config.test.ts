import { describe, expect, it } from 'vitest';
import { DEFAULT_LAB } from '../src/config/default-lab';
import { parseLabConfig } from '../src/config/lab-config.schema';
import { generateLab } from '../src/generator';

describe('lab config', () => {
  it('names the bad field in a clear error', () => {
    const bad = structuredClone(DEFAULT_LAB) as {
      vcenters: Array<{ clusters: Array<{ hosts: Array<{ cpuMhz: unknown }> }> }>;
    };
    bad.vcenters[0]!.clusters[1]!.hosts[2]!.cpuMhz = -5;
    expect(() => parseLabConfig(bad)).toThrow(/vcenters\.0\.clusters\.1\.hosts\.2\.cpuMhz/);
  });

  it('rejects VMs on unknown hosts, duplicate service tags and duplicate cluster names', () => {
    const host = { serviceTag: 'DUP0001', name: 'h', cpuMhz: 1, memoryMiB: 1 };
    expect(() =>
      parseLabConfig({
        vcenters: [
          {
            id: 'vc',
            clusters: [
              { name: 'c', hosts: [host] },
              { name: 'c', hosts: [host] },
            ],
            vms: [{ name: 'v', host: 'GHOST01', cpuMhz: 1, memoryMiB: 1 }],
          },
        ],
      }),
    ).toThrow(
      /duplicate service tag DUP0001.*duplicate cluster name c|duplicate cluster name c.*duplicate service tag/,
    );
    expect(() =>
      parseLabConfig({
        vcenters: [
          {
            id: 'vc',
            clusters: [{ name: 'c', hosts: [host] }],
            vms: [{ name: 'v', host: 'GHOST01', cpuMhz: 1, memoryMiB: 1 }],
          },
        ],
      }),
    ).toThrow(/vcenters\.0\.vms\.0\.host: VM v is on unknown host GHOST01/);
  });

  it('the default lab: vc-lab with lab-a (4 hosts) and lab-b (8 hosts), 120 VMs, the blockers', () => {
    const cfg = parseLabConfig(DEFAULT_LAB);
    const vc = cfg.vcenters[0]!;
    expect(vc.id).toBe('vc-lab');
    expect(vc.clusters.map((c) => [c.name, c.hosts.length])).toEqual([
      ['lab-a', 4],
      ['lab-b', 8],
    ]);
    expect(vc.vms).toHaveLength(120);
    const vcsa = vc.vms.filter((v) => v.isVcenterAppliance);
    expect(vcsa).toHaveLength(1);
    expect(vcsa[0]!.host.startsWith('LABA')).toBe(true);
    const d = vc.vms.map((v) => v.devices);
    expect(d.some((x) => x.usbPassthrough)).toBe(true);
    expect(d.some((x) => x.vgpu)).toBe(true);
    expect(d.some((x) => x.faultTolerance)).toBe(true);
    expect(d.some((x) => x.localStorage)).toBe(true);
    expect(d.some((x) => x.connectedIso)).toBe(true);
    expect(d.some((x) => x.pciPassthrough)).toBe(true);
    expect(d.some((x) => x.affinityRules.length > 0)).toBe(true);
    const hosts = vc.clusters.flatMap((c) => c.hosts);
    const outdated = hosts.filter((h) => h.firmware.profile === 'outdated').length;
    expect(outdated).toBeGreaterThan(hosts.length / 2);
    expect(outdated).toBeLessThan(hosts.length);
  });

  it('each default cluster can lose 2 hosts and still carry its demand plus HA failover level 1', () => {
    const cfg = parseLabConfig(DEFAULT_LAB);
    const vc = cfg.vcenters[0]!;
    for (const cl of vc.clusters) {
      const tags = new Set(cl.hosts.map((h) => h.serviceTag));
      const vms = vc.vms.filter((v) => tags.has(v.host));
      const cpu = vms.reduce((s, v) => s + v.cpuMhz, 0);
      const mem = vms.reduce((s, v) => s + v.memoryMiB, 0);
      const usable = cl.hosts.length - 2 - cl.ha.failoverLevel;
      expect(cl.ha.failoverLevel).toBe(1);
      expect(cpu).toBeLessThanOrEqual(usable * cl.hosts[0]!.cpuMhz);
      expect(mem).toBeLessThanOrEqual(usable * cl.hosts[0]!.memoryMiB);
    }
  });

  it('generates large labs deterministically', () => {
    const a = generateLab({ hosts: 2000, seed: 5 });
    const b = generateLab({ hosts: 2000, seed: 5 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const cfg = parseLabConfig(a);
    const hosts = cfg.vcenters.flatMap((v) => v.clusters.flatMap((c) => c.hosts));
    expect(hosts).toHaveLength(2000);
    expect(cfg.vcenters.reduce((s, v) => s + v.vms.length, 0)).toBe(40_000);
    expect(JSON.stringify(generateLab({ hosts: 50, seed: 6 }))).not.toBe(
      JSON.stringify(generateLab({ hosts: 50, seed: 5 })),
    );
  });
});
