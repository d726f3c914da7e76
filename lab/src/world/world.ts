import { NotFoundError, ValidationError } from '@rackops/core/util/errors';
import type { LabConfig, LabHaSettings, LabHost } from '../config/lab-config.schema';
import { recordHardwareChange } from '../idrac/hardware-health';
import type { LabClock } from '../clock';
import type { FaultRegistry } from '../faults/fault-registry';
import { DeviceTallies } from './device-tallies';
import { WorldEventBus } from './events';
import { type ComponentTemplate, type FirmwareComponentView, latestPackages, memberId } from './firmware';
import type { Capture } from '../idrac/capture';
import { hash32 } from '@rackops/core/util/prng';
import type { ClusterState, HostState, IdracJob, InstalledFirmware, VcenterState, VmState } from './types';

export interface WorldOptions {
  clock: LabClock;
  faults: FaultRegistry;
  capture: Capture;
  components: ComponentTemplate[];
}

/**
 * The mutable simulated datacenter shared by every lab server. The iDRAC simulator drives
 * power, firmware and jobs; the vCenter simulator drives maintenance mode, VM placement and
 * HA, and listens to `events` (a host rebooting goes notResponding, then connected).
 */
export class World {
  readonly name: string;
  readonly seed: number;
  readonly clock: LabClock;
  readonly faults: FaultRegistry;
  readonly capture: Capture;
  readonly components: readonly ComponentTemplate[];
  readonly events = new WorldEventBus();
  /** Uploads and reboot requests per host (checks that nothing was done twice). */
  readonly tallies = new DeviceTallies();
  readonly credentials: LabConfig['credentials'];
  readonly vcenters = new Map<string, VcenterState>();
  readonly clusters = new Map<string, ClusterState>();
  readonly hosts = new Map<string, HostState>();
  readonly vms = new Map<string, VmState>();
  readonly omes: Array<{ id: string }>;
  private readonly vmIdsByHost = new Map<string, Set<string>>();
  private jobCounter = 0;
  private stopped = false;

  constructor(config: LabConfig, opts: WorldOptions) {
    this.name = config.name;
    this.seed = config.seed;
    this.clock = opts.clock;
    this.faults = opts.faults;
    this.capture = opts.capture;
    this.components = opts.components;
    this.credentials = config.credentials;
    this.omes = config.omes;
    let hostIndex = 0;
    let clusterIndex = 0;
    let vmIndex = 0;
    for (const vc of config.vcenters) {
      const vcState: VcenterState = {
        id: vc.id,
        name: vc.name ?? vc.id,
        version: vc.version,
        clusterIds: [],
        quirks: vc.quirks,
        portGroups: [...vc.portGroups],
        nfsDatastores: [],
      };
      this.vcenters.set(vc.id, vcState);
      for (const cl of vc.clusters) {
        clusterIndex++;
        const cluster: ClusterState = {
          id: cl.name,
          name: cl.name,
          moref: `domain-${cl.standalone ? 's' : 'c'}${1000 + clusterIndex}`,
          vcenterId: vc.id,
          // A standalone host has neither: nothing evacuates it, nothing restarts its VMs elsewhere.
          drsEnabled: cl.drsEnabled && !cl.standalone,
          ha: cl.standalone ? { ...cl.ha, haEnabled: false, admissionControlEnabled: false } : { ...cl.ha },
          standalone: cl.standalone,
          hostIds: [],
          customAttributes: { ...cl.customAttributes },
        };
        this.clusters.set(cluster.id, cluster);
        vcState.clusterIds.push(cluster.id);
        for (const h of cl.hosts) {
          const host = this.buildHost(h, hostIndex++, vc.id, cluster.id);
          this.hosts.set(host.id, host);
          this.vmIdsByHost.set(host.id, new Set());
          cluster.hostIds.push(host.id);
        }
      }
      for (const v of vc.vms) {
        vmIndex++;
        const host = this.host(v.host);
        const vm: VmState = {
          id: `vm-${1000 + vmIndex}`,
          moref: `vm-${1000 + vmIndex}`,
          name: v.name,
          uuid: uuidFrom(`${this.seed}:vm:${vmIndex}`),
          vcenterId: vc.id,
          clusterId: host.clusterId,
          hostId: host.id,
          powerState: v.powerState,
          cpuMhz: v.cpuMhz,
          memoryMiB: v.memoryMiB,
          devices: { ...v.devices, affinityRules: [...v.devices.affinityRules] },
          isVcenterAppliance: v.isVcenterAppliance,
        };
        this.vms.set(vm.id, vm);
        this.vmIdsByHost.get(host.id)!.add(vm.id);
      }
    }
    for (const [tag, f] of Object.entries(config.faults)) this.faults.set(tag, f);
    // Stale jobs appear in the queue when the fault is set (they stay until the queue is cleared).
    this.faults.onChange((hostId, f) => {
      const host = this.hosts.get(hostId);
      if (host) {
        this.fillStaleJobs(host, f.staleJobs);
        recordHardwareChange(host, f.hardware, this.clock.now());
      }
    });
    for (const { hostId, faults } of this.faults.list()) {
      const host = this.hosts.get(hostId);
      if (host) {
        this.fillStaleJobs(host, faults.staleJobs);
        recordHardwareChange(host, faults.hardware, this.clock.now());
      }
    }
  }

  private buildHost(h: LabHost, index: number, vcenterId: string, clusterId: string): HostState {
    const now = new Date(Date.UTC(2026, 0, 1)).toISOString();
    const firmware = new Map<string, InstalledFirmware>();
    for (const c of this.components) {
      let version = h.firmware.profile === 'current' ? c.latestVersion : c.capturedVersion;
      const override = h.firmware.versions[c.fqdd];
      if (override) version = override;
      firmware.set(c.fqdd, {
        version,
        ...(c.capturedPreviousVersion ? { previousVersion: c.capturedPreviousVersion } : {}),
        installedAt: now,
      });
    }
    for (const fqdd of Object.keys(h.firmware.versions)) {
      if (!firmware.has(fqdd)) {
        throw new ValidationError(
          `invalid lab config: host ${h.serviceTag}: unknown firmware component ${fqdd}`,
          [`firmware.versions.${fqdd}: unknown FQDD`],
        );
      }
    }
    const idracJob = this.capture.json(
      '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/Jobs/JID_102241909559',
    ) as {
      Name: string;
      StartTime: string;
      CompletionTime: string;
    };
    // Every real iDRAC has history: keep the captured completed BIOS config job in the queue.
    const jobs = new Map<string, IdracJob>([
      [
        'JID_102241909559',
        {
          id: 'JID_102241909559',
          name: idracJob.Name,
          jobType: 'BIOSConfiguration',
          state: 'Completed',
          percent: 100,
          message: 'Job completed successfully.',
          messageId: 'PR19',
          startTime: idracJob.StartTime,
          completionTime: idracJob.CompletionTime,
        },
      ],
    ]);
    return {
      id: h.serviceTag,
      index,
      name: h.name,
      moref: `host-${1000 + index}`,
      model: h.model,
      vcenterId,
      clusterId,
      cpuMhz: h.cpuMhz,
      memoryMiB: h.memoryMiB,
      esxiVersion: h.esxiVersion,
      idracAddress:
        h.idracAddress ??
        `10.${128 + Math.floor(index / 65536)}.${Math.floor(index / 256) % 256}.${index % 256}`,
      idracMac: macFrom(index),
      uuid: dellUuid(h.serviceTag),
      ...(h.reportedServiceTag ? { reportedServiceTag: h.reportedServiceTag } : {}),
      power: h.powerState,
      osPhase: h.powerState === 'On' ? 'running' : 'off',
      connectionState: h.powerState === 'On' ? 'connected' : 'notResponding',
      inMaintenanceMode: h.inMaintenanceMode,
      idrac: 'up',
      idracPersonality: h.idrac,
      firmware,
      jobs,
      virtualMedia: {
        CD: { inserted: false, writeProtected: true, connectedVia: 'NotConnected' },
        RemovableDisk: { inserted: false, writeProtected: true, connectedVia: 'NotConnected' },
      },
      sessions: new Map(),
      hardwareEvents: [],
      scpAttributes: new Map(),
      scpPending: new Map(),
      epoch: 0,
      lastBootAt: now,
    };
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  host(id: string): HostState {
    const h = this.hosts.get(id);
    if (!h) throw new NotFoundError('host', id);
    return h;
  }

  vm(id: string): VmState {
    const v = this.vms.get(id);
    if (!v) throw new NotFoundError('vm', id);
    return v;
  }

  cluster(id: string): ClusterState {
    const c = this.clusters.get(id);
    if (!c) throw new NotFoundError('cluster', id);
    return c;
  }

  vmsOnHost(hostId: string): VmState[] {
    return [...(this.vmIdsByHost.get(hostId) ?? [])].map((id) => this.vms.get(id)!);
  }

  hostsInCluster(clusterId: string): HostState[] {
    return this.cluster(clusterId).hostIds.map((id) => this.host(id));
  }

  /** vMotion (the vCenter simulator decides whether it is allowed). */
  moveVm(vmId: string, toHostId: string): void {
    const vm = this.vm(vmId);
    const to = this.host(toHostId);
    if (vm.hostId === to.id) return;
    const from = vm.hostId;
    this.vmIdsByHost.get(from)?.delete(vm.id);
    this.vmIdsByHost.get(to.id)!.add(vm.id);
    vm.hostId = to.id;
    vm.clusterId = to.clusterId;
    this.events.emit('vm-moved', { vmId, from, to: to.id });
  }

  setVmPower(vmId: string, powerState: VmState['powerState']): void {
    const vm = this.vm(vmId);
    if (vm.powerState === powerState) return;
    vm.powerState = powerState;
    if (powerState === 'poweredOn') vm.poweredOnAt = this.clock.now().getTime();
    this.events.emit('vm-power', { vmId, powerState });
  }

  /** A VM added by a registration (RegisterVM_Task); its id must be new. */
  addVm(vm: VmState): void {
    if (this.vms.has(vm.id)) throw new ValidationError(`vm ${vm.id} exists`);
    this.host(vm.hostId);
    this.vms.set(vm.id, vm);
    this.vmIdsByHost.get(vm.hostId)!.add(vm.id);
  }

  /** UnregisterVM: the VM leaves the inventory (its files stay where they are). */
  removeVm(vmId: string): void {
    const vm = this.vm(vmId);
    this.vmIdsByHost.get(vm.hostId)?.delete(vm.id);
    this.vms.delete(vm.id);
  }

  setMaintenanceMode(hostId: string, inMaintenanceMode: boolean): void {
    const h = this.host(hostId);
    if (h.inMaintenanceMode === inMaintenanceMode) return;
    h.inMaintenanceMode = inMaintenanceMode;
    this.events.emit('host-maintenance', { hostId, inMaintenanceMode });
  }

  setClusterHa(clusterId: string, patch: Partial<LabHaSettings>): void {
    const c = this.cluster(clusterId);
    c.ha = { ...c.ha, ...patch };
    this.events.emit('cluster-ha', { clusterId });
  }

  /** Used by the host lifecycle; emits the connection change once. */
  setConnectionState(host: HostState, state: HostState['connectionState']): void {
    if (host.connectionState === state) return;
    host.connectionState = state;
    this.events.emit('host-connection', { hostId: host.id, connectionState: state });
  }

  /** Each host's firmware as its iDRAC reports it (ids, SoftwareId, FQDD, PCI ids, version). */
  firmwareComponents(hostId: string): FirmwareComponentView[] {
    const h = this.host(hostId);
    return this.components.map((c) => {
      const version = h.firmware.get(c.fqdd)!.version;
      return {
        id: memberId('Installed', c, version),
        name: c.name,
        softwareId: c.softwareId,
        fqdd: c.fqdd,
        version,
        packageKey: c.packageKey,
        ...(c.pci ? { pci: c.pci } : {}),
        componentType: c.componentType,
        rebootRequired: c.rebootRequired,
        updateable: !c.followsFqdd,
      };
    });
  }

  /** The latest version per package: what the lab's firmware catalog offers. */
  latestFirmware(): ReturnType<typeof latestPackages> {
    return latestPackages(this.capture);
  }

  /** A fresh Dell job id (`JID_` + 12 digits), unique within the lab. */
  nextJobId(): string {
    this.jobCounter++;
    const base = 800_000_000_000 + (hash32(`${this.seed}`) % 100_000) * 1_000_000;
    return `JID_${base + this.jobCounter}`;
  }

  private fillStaleJobs(host: HostState, wanted: number): void {
    const have = [...host.jobs.values()].filter((j) => j.stale).length;
    for (let i = have; i < wanted; i++) {
      const id = this.nextJobId();
      const c = this.components[i % this.components.length]!;
      host.jobs.set(id, {
        id,
        name: `Firmware Update: ${c.name}`,
        jobType: 'FirmwareUpdate',
        state: 'Scheduled',
        percent: 0,
        message: 'Task successfully scheduled.',
        messageId: 'JCP001',
        startTime: new Date(Date.UTC(2025, 10, 1, 2, 0, i)).toISOString().replace(/\.\d+Z$/, ''),
        stale: true,
      });
    }
  }

  stop(): void {
    this.stopped = true;
    this.clock.dispose();
    this.events.removeAll();
  }
}

/** Dell system UUIDs spell "DELL" then the service tag's bytes. */
export function dellUuid(tag: string): string {
  const hex = Buffer.from(tag.padEnd(8, '0').slice(0, 8), 'latin1').toString('hex');
  return `4c4c4544-${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}${'0'.repeat(12)}`.slice(
    0,
    36,
  );
}

function macFrom(index: number): string {
  const b = [0xb0, 0x7b, 0x25, (index >> 16) & 0xff, (index >> 8) & 0xff, index & 0xff];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

function uuidFrom(s: string): string {
  const parts = [hash32(s), hash32(`${s}:1`), hash32(`${s}:2`), hash32(`${s}:3`)].map((n) =>
    n.toString(16).padStart(8, '0'),
  );
  const h = parts.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
