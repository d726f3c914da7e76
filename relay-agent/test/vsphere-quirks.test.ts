import { smallLab } from '@rackops/lab/testing/small-lab';
import type { LabConfigInput } from '@rackops/lab/config/lab-config.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHa } from '../src/commands/ha-settings';
import { VimMissingSetError } from '../src/vsphere/vsphere-client';
import { RelayHarness } from './helpers/relay-harness';

/**
 * Issue 19, vSphere half: the clients against a lab vCenter with another server's habits (lab quirks, not
 * mocks). Each test fails on the decoder/client before the fix: a list of references read as a string
 * (defect 1), `<dasConfig/>` rejected (defect 4), an expired session reported in missingSet never re-logging
 * in (defect 3).
 */
function quirkyLab(): LabConfigInput {
  const cfg = smallLab(3);
  const vc = cfg.vcenters[0]!;
  vc.clusters = [
    { ...vc.clusters![0]!, ha: { haEnabled: false, admissionControlEnabled: false, failoverLevel: 0 } },
  ];
  vc.vms = [
    { name: 'secret-01', host: 'TEST001', cpuMhz: 1000, memoryMiB: 1024 },
    ...Array.from({ length: 6 }, (_, i) => ({
      name: `vm-${i}`,
      host: 'TEST002',
      cpuMhz: 100,
      memoryMiB: 512,
    })),
  ];
  vc.quirks = {
    xsiPrefix: 'XMLSchema-instance',
    emptyElements: true,
    sessionTimeoutSeconds: 60,
    expiredSessionAs: 'missingSet',
    maxObjects: 'ignored',
    serverPageSize: 4,
    noPermissionOn: ['secret-01'],
  };
  return cfg;
}

describe('vSphere client against a vCenter with quirks', () => {
  let h: RelayHarness;
  beforeAll(async () => {
    // 1/100: the 60 s session timeout is 600 ms.
    h = await RelayHarness.start({
      lab: quirkyLab(),
      labOpts: { timeScale: 1 / 100, services: { ome: false, control: false } },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });
  const cluster = () => ({ type: 'ClusterComputeResource', value: h.lab.world.cluster('test-a').moref });

  it('reads a list of references when xsi is bound to the prefix XMLSchema-instance (defect 1)', async () => {
    const o = await h.vcenter('vc-test').properties(cluster(), ['host']);
    expect(o.props.host).toHaveLength(3);
    expect((o.props.host as { type: string }[])[0]?.type).toBe('HostSystem');
  });

  it('reads an empty <dasConfig/> as HA off, not as a shape error (defect 4)', async () => {
    const ha = await readHa(h.vcenter('vc-test'), cluster());
    expect(ha).toMatchObject({ haEnabled: false, admissionControlEnabled: false, policy: 'disabled' });
  });

  it('re-logs in once when an idle session comes back as NotAuthenticated in missingSet (defect 3)', async () => {
    const vc = h.vcenter('vc-test');
    await vc.properties(cluster(), ['name']);
    const before = vc.relogins;
    await new Promise((r) => setTimeout(r, 800)); // past the (scaled) session timeout
    const o = await vc.properties(cluster(), ['name']);
    expect(o.props.name).toBe('test-a');
    expect(vc.relogins).toBe(before + 1);
  });

  it('surfaces a NoPermission missingSet as a typed error naming the object and paths', async () => {
    const vm = [...h.lab.world.vms.values()].find((v) => v.name === 'secret-01')!;
    const err = await h
      .vcenter('vc-test')
      .properties({ type: 'VirtualMachine', value: vm.moref }, ['name', 'runtime.powerState'])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VimMissingSetError);
    expect(err).toMatchObject({ faultType: 'NoPermission', paths: ['name', 'runtime.powerState'] });
  });

  it('a VM the account cannot read is a blocker on the host that runs it, never "no VM there"', async () => {
    const vm = [...h.lab.world.vms.values()].find((v) => v.name === 'secret-01')!;
    const env = h.envelope(
      'cluster.scan-blockers',
      { type: 'vcenter', id: 'vc-test' },
      { clusterMoref: cluster().value, vcenterId: 'vc-test' },
    );
    await h.send(env);
    const r = await h.waitForResult(env.id, 30_000);
    expect(r.ok).toBe(true);
    const hosts = (r.output as { hosts: { hostId: string; blockers: { reason: string; vmId: string }[] }[] })
      .hosts;
    expect(hosts.find((x) => x.hostId === 'TEST001')?.blockers).toEqual([
      expect.objectContaining({ reason: 'unreadable_vm', vmId: `vc-test/${vm.moref}`, severity: 'critical' }),
    ]);
    expect(hosts.find((x) => x.hostId === 'TEST002')?.blockers).toEqual([]);
  });

  it('follows the token when the server ignores maxObjects and pages by its own size', async () => {
    const pages: number[] = [];
    for await (const page of h.vcenter('vc-test').objects('VirtualMachine', ['name'], 100))
      pages.push(page.length);
    expect(pages).toEqual([4, 3]);
  });
});

describe('handlers read their effect back (defect 5)', () => {
  let h: RelayHarness;
  beforeAll(async () => {
    const cfg = smallLab(3);
    cfg.vcenters[0]!.quirks = { revertsHaChanges: true };
    h = await RelayHarness.start({
      lab: cfg,
      labOpts: { timeScale: 1 / 100, services: { ome: false, control: false } },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('ha.relax fails when admission control reads back still enabled, though the task succeeded', async () => {
    const vc = { type: 'vcenter' as const, id: 'vc-test' };
    const env = h.envelope('cluster.ha-relax', vc, {
      clusterMoref: h.lab.world.cluster('test-a').moref,
      vcenterId: 'vc-test',
    });
    await h.send(env);
    const r = await h.waitForResult(env.id, 30_000);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r.error)).toContain('ha_not_relaxed');
    expect(h.lab.world.cluster('test-a').ha.admissionControlEnabled).toBe(true);
  });
});
