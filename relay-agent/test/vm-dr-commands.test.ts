import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drLab } from '@rackops/lab/testing/dr-lab';
import { resourcePoolOf } from '@rackops/lab/vcenter/model/morefs';
import { allowNfsExport } from '@rackops/lab/vcenter/nfs-datastores';
import { formatVmx } from '@rackops/lab/vcenter/vmx-file';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayHarness } from './helpers/relay-harness';

/**
 * The DR vCenter commands against the lab's second vCenter (`vc-dr`), registering from `.vmx` files on an
 * NFS datastore as a replica clone would carry them. Time scale 1/20: a guest shutdown takes 1.5 s, Tools
 * answer 0.6 s after a power-on.
 */
describe('DR vCenter commands: vm.register, vm.reconfigure-network, vm.tools-status, vm.guest-shutdown, vm.unregister', () => {
  let h: RelayHarness;
  let dir: string;
  const vc = { type: 'vcenter' as const, id: 'vc-dr' };
  const WEB = '[rackops-test-gold-20261206T120000Z] web-01/web-01.vmx';
  const DB = '[rackops-test-gold-20261206T120000Z] db-01/db-01.vmx';
  const drVms = () => [...h.lab.world.vms.values()].filter((v) => v.vcenterId === 'vc-dr');
  const run = async (kind: Parameters<RelayHarness['envelope']>[0], params: Record<string, unknown>) => {
    const env = h.envelope(kind, vc, { vcenterId: 'vc-dr', ...params });
    await h.send(env);
    return h.waitForResult(env.id, 30_000);
  };
  const ok = async (kind: Parameters<RelayHarness['envelope']>[0], params: Record<string, unknown>) => {
    const r = await run(kind, params);
    expect(r.ok, `${kind}: ${JSON.stringify(r.error)}`).toBe(true);
    return r.output as Record<string, unknown>;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rackops-dr-relay-'));
    h = await RelayHarness.start({
      lab: drLab(),
      labOpts: { timeScale: 1 / 20, services: { ome: false, control: false, catalog: false } },
    });
    for (const vm of [...h.lab.world.vms.values()].filter((v) => v.vcenterId === 'vc-src')) {
      await mkdir(join(dir, vm.name));
      await writeFile(
        join(dir, vm.name, `${vm.name}.vmx`),
        formatVmx({
          name: vm.name,
          memoryMiB: vm.memoryMiB,
          numCpu: 2,
          biosUuid: vm.uuid,
          instanceUuid: `50${vm.uuid.slice(2)}`,
          networkName: 'VM Network',
        }),
      );
    }
    // The lab's loopback NFS "appliance" exports the temp dir, as a ZFS site exports its mount root.
    allowNfsExport(h.lab.world, dir);
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const pool = () => resourcePoolOf(h.lab.world.cluster('dr-a'));
  const src = (name: string) =>
    [...h.lab.world.vms.values()].find((v) => v.vcenterId === 'vc-src' && v.name === name)!;

  const DS = 'rackops-test-gold-20261206T120000Z';
  const drHosts = () => h.lab.world.hostsInCluster('dr-a').map((x) => x.moref);

  it('mounts the clone as an NFS datastore on the DR hosts, once; refuses other servers and paths', async () => {
    const mount = (extra: Record<string, unknown> = {}) =>
      run('datastore.mount-nfs', {
        hostMorefs: drHosts(),
        name: DS,
        remoteHost: '127.0.0.1',
        remotePath: dir,
        ...extra,
      });
    const first = await mount();
    expect(first.ok, JSON.stringify(first.error)).toBe(true);
    expect(first.output).toMatchObject({ mounted: true });
    const again = await mount();
    expect(again.output).toEqual({
      datastoreMoref: (first.output as { datastoreMoref: string }).datastoreMoref,
      mounted: false,
    });
    expect(h.lab.world.vcenters.get('vc-dr')!.nfsDatastores.map((d) => d.name)).toEqual([DS]);
    const elsewhere = await run('datastore.mount-nfs', {
      hostMorefs: drHosts(),
      name: 'rackops-test-gold-20261206T130000Z',
      remoteHost: '127.0.0.1',
      remotePath: '/etc',
    });
    expect(elsewhere.ok).toBe(false);
    expect(JSON.stringify(elsewhere.error)).toMatch(/HostConfigFault|denied/);
    const otherServer = await run('datastore.mount-nfs', {
      hostMorefs: drHosts(),
      name: 'rackops-test-gold-20261206T130000Z',
      remoteHost: 'nas.example.net',
      remotePath: dir,
    });
    expect(otherServer.ok).toBe(false);
    expect(h.lab.world.vcenters.get('vc-dr')!.nfsDatastores).toHaveLength(1);
  });

  it('registers once: a replayed vm.register finds the VM by its .vmx path and registers nothing', async () => {
    const first = await ok('vm.register', {
      vmxPath: WEB,
      instanceUuid: `50${src('web-01').uuid.slice(2)}`,
      resourcePoolMoref: pool(),
    });
    expect(first).toMatchObject({ name: 'web-01', registered: true });
    expect(drVms().map((v) => v.moref)).toEqual([first.vmMoref]);
    const again = await ok('vm.register', { vmxPath: WEB, resourcePoolMoref: pool() });
    expect(again).toEqual({ vmMoref: first.vmMoref, name: 'web-01', registered: false });
    expect(drVms()).toHaveLength(1);
  });

  it('a failback’s original VM named by vmMoref is used as it is, nothing registered', async () => {
    const web = drVms()[0]!;
    expect(await ok('vm.register', { vmxPath: DB, vmMoref: web.moref, resourcePoolMoref: pool() })).toEqual({
      vmMoref: web.moref,
      name: 'web-01',
      registered: false,
    });
    expect(drVms()).toHaveLength(1);
  });

  it('refuses a path or moref that could be anything but a .vmx on a datastore, before vCenter is called', async () => {
    const rejected = async (params: Record<string, unknown>) => {
      const env = await h.send(h.envelope('vm.register', vc, { vcenterId: 'vc-dr', ...params }));
      return h.waitFor('the rejection', () =>
        h.messages.find((m) => m.type === 'rejected' && m.commandId === env.id),
      );
    };
    for (const vmxPath of [
      '[rackops-test-gold-20261206T120000Z] ../../etc/passwd.vmx',
      '[rackops-test-gold-20261206T120000Z] $(reboot)/x.vmx',
      '[rackops-test-gold-20261206T120000Z] -rf/x.vmx',
      'web-01.vmx',
    ]) {
      expect(await rejected({ vmxPath, resourcePoolMoref: pool() }), vmxPath).toMatchObject({
        reason: 'malformed',
        detail: expect.stringMatching(/vmxPath/),
      });
    }
    expect(await rejected({ vmxPath: DB, resourcePoolMoref: 'resgroup-1"><x' })).toMatchObject({
      reason: 'malformed',
      detail: expect.stringMatching(/resourcePoolMoref/),
    });
    expect(drVms()).toHaveLength(1);
  });

  it('maps every NIC to the isolated port group, once', async () => {
    const vm = drVms()[0]!;
    expect(await ok('vm.reconfigure-network', { vmMoref: vm.moref, portGroup: 'dr-test' })).toEqual({
      portGroup: 'dr-test',
      changed: true,
    });
    expect(vm.networkMoref).toBe('network-100');
    expect(await ok('vm.reconfigure-network', { vmMoref: vm.moref, portGroup: 'dr-test' })).toMatchObject({
      changed: false,
    });
    const missing = await run('vm.reconfigure-network', { vmMoref: vm.moref, portGroup: 'prod-dmz' });
    expect(missing.ok).toBe(false);
    expect(JSON.stringify(missing.error)).toContain('no_port_group');
  });

  it('waits for VMware Tools after power-on, and shuts the guest down (power-off named when it had to)', async () => {
    const vm = drVms()[0]!;
    const powerOn = () => ok('vm.power', { vmMoref: vm.moref, state: 'on' });
    await powerOn();
    // Straight after power-on there are no Tools yet: a guest shutdown cannot be asked, it is powered off.
    expect(await ok('vm.guest-shutdown', { vmMoref: vm.moref, timeoutSeconds: 30 })).toMatchObject({
      how: 'powered-off-no-tools',
    });
    expect(vm.powerState).toBe('poweredOff');

    await powerOn();
    const now = await ok('vm.tools-status', { vmMorefs: [vm.moref] });
    expect(now).toMatchObject({
      allReady: false,
      vms: [{ vmMoref: vm.moref, ready: false, heartbeat: 'gray' }],
    });
    const waited = await ok('vm.tools-status', { vmMorefs: [vm.moref], waitSeconds: 20 });
    expect(waited).toMatchObject({
      allReady: true,
      vms: [{ toolsRunningStatus: 'guestToolsRunning', heartbeat: 'green', ready: true }],
    });
    // The guest needs 1.5 s to shut down: within a 20 s timeout it does so on its own.
    expect(await ok('vm.guest-shutdown', { vmMoref: vm.moref, timeoutSeconds: 20 })).toEqual({
      powerState: 'poweredOff',
      how: 'guest-shutdown',
      timeoutSeconds: 20,
    });

    await powerOn();
    await ok('vm.tools-status', { vmMorefs: [vm.moref], waitSeconds: 20 });
    // A 1 s timeout is shorter than the guest's shutdown: powered off after the timeout, and said so.
    expect(await ok('vm.guest-shutdown', { vmMoref: vm.moref, timeoutSeconds: 1 })).toMatchObject({
      how: 'powered-off-after-timeout',
      timeoutSeconds: 1,
    });
    expect(await ok('vm.guest-shutdown', { vmMoref: vm.moref })).toMatchObject({ how: 'already-off' });
  });

  it('unregisters only the DR copy at the named path (powering it off first); a replay is a no-op', async () => {
    const vm = drVms()[0]!;
    await ok('vm.power', { vmMoref: vm.moref, state: 'on' });
    const busy = await run('datastore.unmount-nfs', { hostMorefs: drHosts(), name: DS });
    expect(busy.ok).toBe(false);
    expect(JSON.stringify(busy.error)).toContain('ResourceInUse');
    const wrong = await run('vm.unregister', { vmMoref: vm.moref, vmxPath: DB });
    expect(wrong.ok).toBe(false);
    expect(JSON.stringify(wrong.error)).toContain('not_dr_copy');
    expect(drVms()).toHaveLength(1);
    expect(await ok('vm.unregister', { vmMoref: vm.moref, vmxPath: WEB })).toEqual({
      unregistered: true,
      poweredOff: true,
    });
    expect(drVms()).toHaveLength(0);
    expect(await ok('vm.unregister', { vmMoref: vm.moref, vmxPath: WEB })).toEqual({
      unregistered: false,
      poweredOff: false,
    });
    // The source site was never touched.
    expect(src('web-01').powerState).toBe('poweredOn');
    // With no VM left on it, the clone's datastore goes; a second unmount is a no-op.
    expect(await ok('datastore.unmount-nfs', { hostMorefs: drHosts(), name: DS })).toEqual({
      unmounted: true,
    });
    expect(h.lab.world.vcenters.get('vc-dr')!.nfsDatastores).toEqual([]);
    expect(await ok('datastore.unmount-nfs', { hostMorefs: drHosts(), name: DS })).toEqual({
      unmounted: false,
    });
  });
});
