import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../src/index';
import {
  startVimLab,
  faultType,
  type ParsedMor,
  props,
  retrieveOne,
  returnval,
  type VimClient,
  viewSpec,
} from './helpers/vim-client';

describe('vCenter PropertyCollector over container views', () => {
  let lab: Lab;
  let vim: VimClient;

  const createView = async (type: string) => {
    const r = await vim.call(
      `<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container><type>${type}</type><recursive>true</recursive></CreateContainerView>`,
    );
    return (returnval(r, 'CreateContainerView') as unknown as ParsedMor)['#text'];
  };

  beforeAll(async () => {
    ({ lab, vim } = await startVimLab());
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('pages through every VM with maxObjects and ContinueRetrievePropertiesEx tokens', async () => {
    const view = await createView('VirtualMachine');
    const first = await vim.call(
      `<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this>${viewSpec(view, 'VirtualMachine', ['name', 'runtime.powerState', 'summary.config'])}<options><maxObjects>50</maxObjects></options></RetrievePropertiesEx>`,
    );
    expect(first.status).toBe(200);
    let page = returnval(first, 'RetrievePropertiesEx')!;
    const names: string[] = [];
    let pages = 1;
    for (;;) {
      const objects = page.objects as Array<Record<string, unknown>>;
      expect(objects.length).toBeLessThanOrEqual(50);
      for (const oc of objects) {
        expect((oc.obj as ParsedMor)['@_type']).toBe('VirtualMachine');
        const p = props(oc);
        names.push(String((p.name as { '#text': string })['#text']));
        expect((p['runtime.powerState'] as Record<string, string>)['@_xsi:type']).toBe(
          'VirtualMachinePowerState',
        );
        const cfg = p['summary.config'] as Record<string, unknown>;
        expect(cfg['@_xsi:type']).toBe('VirtualMachineConfigSummary');
        expect(Number(cfg.memorySizeMB)).toBeGreaterThan(0);
        expect(String(cfg.instanceUuid)).toMatch(/^[0-9a-f-]{36}$/);
      }
      const token = page.token as string | undefined;
      if (!token) break;
      const next = await vim.call(
        `<ContinueRetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><token>${token}</token></ContinueRetrievePropertiesEx>`,
      );
      expect(next.status).toBe(200);
      page = returnval(next, 'ContinueRetrievePropertiesEx')!;
      pages++;
    }
    expect(pages).toBe(3);
    expect(names.length).toBe(lab.world.vms.size);
    expect(new Set(names).size).toBe(names.length);
    const stale = await vim.call(
      `<ContinueRetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><token>1</token></ContinueRetrievePropertiesEx>`,
    );
    expect(faultType(stale)).toBe('InvalidArgument');
  });

  it('reports hosts with connection state, hardware and the Dell service tag', async () => {
    const view = await createView('HostSystem');
    const r = await vim.call(
      `<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this>${viewSpec(view, 'HostSystem', ['name', 'runtime.connectionState', 'runtime.inMaintenanceMode', 'summary.hardware', 'hardware.systemInfo', 'parent', 'vm'])}<options/></RetrievePropertiesEx>`,
    );
    const objects = returnval(r, 'RetrievePropertiesEx')!.objects as Array<Record<string, unknown>>;
    expect(objects).toHaveLength(12);
    const a1 = objects
      .map(props)
      .find((p) => (p.name as { '#text': string })['#text'] === 'esx-a01.lab.local')!;
    expect(a1['runtime.connectionState']).toEqual({
      '@_xsi:type': 'HostSystemConnectionState',
      '#text': 'connected',
    });
    expect(a1['runtime.inMaintenanceMode']).toEqual({ '@_xsi:type': 'xsd:boolean', '#text': 'false' });
    const hw = a1['summary.hardware'] as Record<string, unknown>;
    expect(hw['@_xsi:type']).toBe('HostHardwareSummary');
    expect(Number(hw.cpuMhz) * Number(hw.numCpuCores)).toBeCloseTo(128_000, -3);
    expect(Number(hw.memorySize)).toBe(524_288 * 1024 * 1024);
    const info = hw.otherIdentifyingInfo as Array<{
      identifierValue: string;
      identifierType: { key: string };
    }>;
    expect(info.find((i) => i.identifierType.key === 'ServiceTag')?.identifierValue).toBe('LABA001');
    expect((a1['hardware.systemInfo'] as Record<string, string>).serialNumber).toBe('LABA001');
    expect((a1.parent as ParsedMor)['@_type']).toBe('ClusterComputeResource');
    const vms = a1.vm as { '@_xsi:type': string; ManagedObjectReference: ParsedMor[] };
    expect(vms['@_xsi:type']).toBe('ArrayOfManagedObjectReference');
    expect(vms.ManagedObjectReference.length).toBe(lab.world.vmsOnHost('LABA001').length);
  });

  it('shows blocker devices the way vCenter does (USB, vGPU backing, connected ISO, local disk)', async () => {
    const byName = (name: string) => [...lab.world.vms.values()].find((v) => v.name === name)!.moref;
    const devices = async (name: string) => {
      const p = await retrieveOne(vim, 'VirtualMachine', byName(name), [
        'config.hardware.device',
        'runtime.faultToleranceState',
      ]);
      const arr = p['config.hardware.device'] as {
        '@_xsi:type': string;
        VirtualDevice: Array<Record<string, unknown>>;
      };
      expect(arr['@_xsi:type']).toBe('ArrayOfVirtualDevice');
      return {
        list: arr.VirtualDevice,
        ft: (p['runtime.faultToleranceState'] as { '#text': string })['#text'],
      };
    };
    const usb = await devices('usb-dongle-01');
    expect(usb.list.some((d) => d['@_xsi:type'] === 'VirtualUSB')).toBe(true);
    const gpu = await devices('render-gpu-01');
    const backings = gpu.list
      .filter((d) => d['@_xsi:type'] === 'VirtualPCIPassthrough')
      .map((d) => (d.backing as Record<string, string>)['@_xsi:type']);
    expect(backings).toEqual(
      expect.arrayContaining([
        'VirtualPCIPassthroughVmiopBackingInfo',
        'VirtualPCIPassthroughDeviceBackingInfo',
      ]),
    );
    const iso = await devices('installer-01');
    const cdrom = iso.list.find((d) => d['@_xsi:type'] === 'VirtualCdrom')!;
    expect((cdrom.backing as Record<string, string>)['@_xsi:type']).toBe('VirtualCdromIsoBackingInfo');
    expect((cdrom.connectable as Record<string, string>).connected).toBe('true');
    const local = await devices('scratch-db-01');
    const disk = local.list.find((d) => d['@_xsi:type'] === 'VirtualDisk')!;
    const ds = (disk.backing as { datastore: ParsedMor }).datastore['#text'];
    const dsProps = await retrieveOne(vim, 'Datastore', ds, ['summary', 'host']);
    expect((dsProps.summary as Record<string, string>).multipleHostAccess).toBe('false');
    const mounts = (dsProps.host as { DatastoreHostMount: unknown[] }).DatastoreHostMount;
    expect(mounts).toHaveLength(1);
    expect((await devices('ledger-ft-01')).ft).toBe('running');
  });

  it('reports cluster HA, DRS and must-run rules in configurationEx', async () => {
    const cluster = lab.world.cluster('lab-a');
    const p = await retrieveOne(vim, 'ClusterComputeResource', cluster.moref, ['configurationEx', 'host']);
    const cfg = p.configurationEx as Record<string, Record<string, unknown>>;
    expect(cfg['@_xsi:type']).toBe('ClusterConfigInfoEx');
    expect(cfg.dasConfig!.enabled).toBe('true');
    expect(cfg.dasConfig!.admissionControlEnabled).toBe('true');
    expect(cfg.dasConfig!.admissionControlPolicy).toEqual({
      '@_xsi:type': 'ClusterFailoverLevelAdmissionControlPolicy',
      failoverLevel: '1',
    });
    expect(cfg.drsConfig!.enabled).toBe('true');
    const rules = cfg.rule as unknown as Array<Record<string, string>>;
    expect(rules[0]!['@_xsi:type']).toBe('ClusterVmHostRuleInfo');
    expect(rules[0]!.mandatory).toBe('true');
    expect((p.host as { ManagedObjectReference: unknown[] }).ManagedObjectReference).toHaveLength(4);
  });

  it('answers the legacy RetrieveProperties with one returnval per object', async () => {
    const r = await vim.call(
      `<RetrieveProperties xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>ClusterComputeResource</type><pathSet>name</pathSet></propSet><objectSet><obj type="Folder">${'group-h5'}</obj><skip>true</skip><selectSet xsi:type="TraversalSpec"><name>f</name><type>Folder</type><path>childEntity</path><skip>false</skip></selectSet></objectSet></specSet></RetrieveProperties>`,
    );
    expect(r.status).toBe(200);
    const rv = (r.body.RetrievePropertiesResponse as { returnval: Array<Record<string, unknown>> }).returnval;
    expect(rv.map((oc) => (props(oc).name as { '#text': string })['#text']).sort()).toEqual([
      'lab-a',
      'lab-b',
    ]);
  });

  it('rejects an unknown property path with InvalidProperty', async () => {
    const r = await vim.call(
      `<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>HostSystem</type><pathSet>runtime.bogus</pathSet><pathSet>nonsense</pathSet></propSet><objectSet><obj type="HostSystem">${lab.world.host('LABA001').moref}</obj></objectSet></specSet><options/></RetrievePropertiesEx>`,
    );
    expect(r.status).toBe(500);
    expect(faultType(r)).toBe('InvalidProperty');
  });

  it('walks the inventory tree with a classic folder traversal (no view)', async () => {
    const spec = `<specSet><propSet><type>ClusterComputeResource</type><pathSet>name</pathSet></propSet><objectSet><obj type="Folder">group-d1</obj><skip>true</skip><selectSet xsi:type="TraversalSpec"><name>folderTraversal</name><type>Folder</type><path>childEntity</path><skip>false</skip><selectSet><name>folderTraversal</name></selectSet><selectSet><name>dcToHf</name></selectSet></selectSet><selectSet xsi:type="TraversalSpec"><name>dcToHf</name><type>Datacenter</type><path>hostFolder</path><skip>false</skip><selectSet><name>folderTraversal</name></selectSet></selectSet></objectSet></specSet>`;
    const r = await vim.call(
      `<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this>${spec}<options/></RetrievePropertiesEx>`,
    );
    const objects = returnval(r, 'RetrievePropertiesEx')!.objects as Array<Record<string, unknown>>;
    expect(objects.map((o) => (props(o).name as { '#text': string })['#text']).sort()).toEqual([
      'lab-a',
      'lab-b',
    ]);
  });
});
