import type { HostState } from '../../world/types';
import {
  arr,
  bool,
  dateTime,
  en,
  int,
  long,
  mor,
  morArray,
  obj,
  short,
  str,
  type Vim,
} from '../soap/vim-value';
import type { VcContext } from '../vc-context';
import { fromGetters, type ManagedObject } from './managed-object';
import { computeResourceType, localDatastoreOf, MGMT_NETWORK, sharedDatastoreOf, VM_NETWORK } from './morefs';

const MHZ_PER_CORE = 2800;
const ESXI_BUILD: Record<string, string> = { '8.0.2': '22380479', '8.0.3': '24022510', '7.0.3': '21930508' };

/** Dell R750s report the service tag in `otherIdentifyingInfo` (ServiceTag, also as enclosure serial). */
function identifyingInfo(h: HostState): Vim[] {
  const id = (key: string, label: string, value: string) =>
    obj('HostSystemIdentificationInfo', {
      identifierValue: str(value),
      identifierType: obj('ElementDescription', { label: str(label), summary: str(label), key: str(key) }),
    });
  const tag = h.reportedServiceTag ?? h.id;
  return [
    id('AssetTag', 'Asset Tag', 'unknown'),
    id('ServiceTag', 'Service tag', tag),
    id('EnclosureSerialNumberTag', 'Enclosure serial number tag', tag),
    id('SerialNumberTag', 'Serial number tag', tag),
  ];
}

export function hostCores(h: HostState): number {
  return Math.max(1, Math.round(h.cpuMhz / MHZ_PER_CORE));
}

/** Per-core speed such that cpuMhz x numCpuCores is the host's capacity, as clients compute it. */
export function hostCoreMhz(h: HostState): number {
  return Math.round(h.cpuMhz / hostCores(h));
}

function about(h: HostState): Vim {
  const build = ESXI_BUILD[h.esxiVersion] ?? '22380479';
  return obj('AboutInfo', {
    name: str('VMware ESXi'),
    fullName: str(`VMware ESXi ${h.esxiVersion} build-${build}`),
    vendor: str('VMware, Inc.'),
    version: str(h.esxiVersion),
    build: str(build),
    osType: str('vmnix-x86'),
    productLineId: str('embeddedEsx'),
    apiType: str('HostAgent'),
    apiVersion: str(`${h.esxiVersion}.0`),
  });
}

/** The host's HostDatastoreSystem (`datastoreSystem-10` for `host-10`), where NFS datastores are mounted. */
export const datastoreSystemOf = (h: HostState) => `datastoreSystem-${h.moref.replace(/^host-/, '')}`;

/** The HostSystem managed object: values are read from the world on every access. */
export function hostObject(ctx: VcContext, h: HostState): ManagedObject {
  const { world } = ctx;
  const cluster = () => world.cluster(h.clusterId);
  const vmsHere = () => world.vmsOnHost(h.id);
  const usage = () => {
    const on = vmsHere().filter((v) => v.powerState === 'poweredOn');
    return {
      cpu: on.reduce((s, v) => s + v.cpuMhz, 0),
      mem: on.reduce((s, v) => s + v.memoryMiB, 0),
    };
  };
  const powerState = () => (h.power === 'On' ? 'poweredOn' : 'poweredOff');
  const runtime = () =>
    obj('HostRuntimeInfo', {
      connectionState: en('HostSystemConnectionState', h.connectionState),
      powerState: en('HostSystemPowerState', h.connectionState === 'connected' ? powerState() : 'unknown'),
      standbyMode: str('none'),
      inMaintenanceMode: bool(h.inMaintenanceMode),
      inQuarantineMode: bool(false),
      bootTime: dateTime(h.lastBootAt),
    });
  const cores = hostCores(h);
  const hardwareSummary = () =>
    obj('HostHardwareSummary', {
      vendor: str('Dell Inc.'),
      model: str(h.model),
      uuid: str(h.uuid),
      otherIdentifyingInfo: identifyingInfo(h),
      memorySize: long(h.memoryMiB * 1024 * 1024),
      cpuModel: str('Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz'),
      cpuMhz: int(hostCoreMhz(h)),
      numCpuPkgs: short(2),
      numCpuCores: short(cores),
      numCpuThreads: short(cores * 2),
      numNics: int(4),
      numHBAs: int(3),
    });
  const overallStatus = () =>
    en(
      'ManagedEntityStatus',
      h.connectionState === 'connected' ? 'green' : h.connectionState === 'notResponding' ? 'red' : 'gray',
    );
  return fromGetters(
    { type: 'HostSystem', value: h.moref },
    {
      name: () => str(h.name),
      configManager: () =>
        obj('HostConfigManager', { datastoreSystem: mor('HostDatastoreSystem', datastoreSystemOf(h)) }),
      'configManager.datastoreSystem': () => mor('HostDatastoreSystem', datastoreSystemOf(h)),
      parent: () => mor(computeResourceType(cluster()), cluster().moref),
      overallStatus,
      runtime,
      'runtime.connectionState': () => en('HostSystemConnectionState', h.connectionState),
      'runtime.inMaintenanceMode': () => bool(h.inMaintenanceMode),
      summary: () => {
        const u = usage();
        return obj('HostListSummary', {
          host: mor('HostSystem', h.moref),
          hardware: hardwareSummary(),
          runtime: runtime(),
          config: obj('HostConfigSummary', {
            name: str(h.name),
            port: int(443),
            product: about(h),
            vmotionEnabled: bool(true),
            faultToleranceEnabled: bool(true),
          }),
          quickStats: obj('HostListSummaryQuickStats', {
            overallCpuUsage: int(h.connectionState === 'connected' ? u.cpu : 0),
            overallMemoryUsage: int(h.connectionState === 'connected' ? u.mem : 0),
            uptime: int(Math.max(0, Math.round((Date.now() - Date.parse(h.lastBootAt)) / 1000))),
          }),
          overallStatus: overallStatus(),
          rebootRequired: bool(false),
          managementServerIp: str('127.0.0.1'),
        });
      },
      hardware: () =>
        obj('HostHardwareInfo', {
          systemInfo: obj('HostSystemInfo', {
            vendor: str('Dell Inc.'),
            model: str(h.model),
            uuid: str(h.uuid),
            otherIdentifyingInfo: identifyingInfo(h),
            serialNumber: str(h.reportedServiceTag ?? h.id),
          }),
          cpuInfo: obj('HostCpuInfo', {
            numCpuPackages: short(2),
            numCpuCores: short(cores),
            numCpuThreads: short(cores * 2),
            hz: long(hostCoreMhz(h) * 1_000_000),
          }),
          memorySize: long(h.memoryMiB * 1024 * 1024),
        }),
      config: () =>
        h.connectionState === 'connected'
          ? obj('HostConfigInfo', { host: mor('HostSystem', h.moref), product: about(h) })
          : undefined,
      vm: () => morArray(vmsHere().map((v) => mor('VirtualMachine', v.moref))),
      datastore: () =>
        morArray([mor('Datastore', sharedDatastoreOf(cluster())), mor('Datastore', localDatastoreOf(h))]),
      network: () => morArray([mor('Network', VM_NETWORK), mor('Network', MGMT_NETWORK)]),
      triggeredAlarmState: () => arr('AlarmState', []),
    },
  );
}
