import { labSystemId } from '../world/system-id';
import type { HostState } from '../world/types';
import type { World } from '../world/world';

/** OME device ids are plain integers; the lab numbers devices from the host's position. */
export const deviceIdOf = (h: HostState) => 10_100 + h.index;

/** OME PowerState codes: 17 on, 18 off (the iDRAC's view: a rebooting server is still on). */
const POWER = { On: 17, Off: 18 } as const;

/** OME timestamps: `2026-01-01 02:00:00.000` (no T, no zone). */
export function omeTime(d: Date | string): string {
  return new Date(d).toISOString().replace('T', ' ').replace('Z', '');
}

const CAPABILITIES = [1, 2, 3, 4, 7, 8, 9, 41, 10, 11, 12, 13, 14, 15, 208, 16, 17, 18, 212, 30, 31];

/** `/api/DeviceService/Devices(<id>)`: a discovered PowerEdge server, as OME lists it. */
export function deviceJson(world: World, h: HostState, discoveredAt: Date) {
  const id = deviceIdOf(h);
  const base = `/api/DeviceService/Devices(${id})`;
  const idracVersion = h.firmware.get('iDRAC.Embedded.1-1')?.version ?? null;
  const reachable = h.idrac === 'up';
  const managementId = 5_100 + h.index;
  return {
    '@odata.type': '#DeviceService.Device',
    '@odata.id': base,
    Id: id,
    Type: 1000,
    Identifier: h.id,
    DeviceServiceTag: h.id,
    ChassisServiceTag: null,
    Model: h.model,
    PowerState: POWER[h.power],
    ManagedState: 3000,
    Status: reachable ? 1000 : 2000,
    ConnectionState: reachable,
    AssetTag: null,
    SystemId: labSystemId(world),
    DeviceName: h.name,
    LastInventoryTime: omeTime(discoveredAt),
    LastStatusTime: omeTime(world.clock.now()),
    DeviceSubscription: null,
    DeviceCapabilities: CAPABILITIES,
    SlotConfiguration: {
      ChassisName: null,
      SlotId: null,
      DeviceType: null,
      ChassisId: null,
      SlotNumber: null,
      SledBlockPowerOn: null,
      SlotName: null,
      ChassisServiceTag: null,
      SlotType: null,
    },
    DeviceManagement: [
      {
        ManagementId: managementId,
        NetworkAddress: h.idracAddress,
        MacAddress: h.idracMac,
        ManagementType: 2,
        InstrumentationName: `idrac-${h.id}`,
        DnsName: `idrac-${h.id.toLowerCase()}.lab.local`,
        ManagementProfile: [
          {
            ManagementProfileId: managementId,
            ProfileId: 'WSMAN_OOB',
            ManagementId: managementId,
            AgentName: 'iDRAC',
            Version: idracVersion,
            ManagementURL: `https://${h.idracAddress}:443`,
            HasCreds: 0,
            Status: reachable ? 1000 : 2000,
            StatusDateTime: omeTime(world.clock.now()),
          },
        ],
      },
    ],
    Actions: null,
    'SensorHealth@odata.navigationLink': `${base}/SensorHealth`,
    VirtualSession: { '@odata.id': `${base}/VirtualSession` },
    Baselines: { '@odata.id': `${base}/Baselines` },
    'InventoryDetails@odata.navigationLink': `${base}/InventoryDetails`,
    'HardwareLogs@odata.navigationLink': `${base}/HardwareLogs`,
    'SubSystemHealth@odata.navigationLink': `${base}/SubSystemHealth`,
    'RecentActivity@odata.navigationLink': `${base}/RecentActivity`,
    InventoryTypes: { '@odata.id': `${base}/InventoryTypes` },
    LogSeverities: { '@odata.id': `${base}/LogSeverities` },
    'Settings@odata.navigationLink': `${base}/Settings`,
    Temperature: { '@odata.id': `${base}/Temperature` },
    Power: { '@odata.id': `${base}/Power` },
    SystemUpTime: { '@odata.id': `${base}/SystemUpTime` },
    BlinkStatus: { '@odata.id': `${base}/BlinkStatus` },
  };
}
