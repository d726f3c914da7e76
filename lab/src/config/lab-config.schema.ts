import { z } from 'zod';
import { parseOrThrow } from '@rackops/core/util/zod-errors';
import { IdracPersonality } from '../idrac/personality';
import { VcenterQuirks } from './vcenter-quirks.schema';

/**
 * The lab topology: what the simulated datacenter contains. Everything the lab servers
 * serve is derived from this plus the run-time world state (lab/src/world).
 */

const Id = z.string().min(1).max(80);

export const LabHaSettings = z.object({
  haEnabled: z.boolean().default(true),
  admissionControlEnabled: z.boolean().default(true),
  /** Host failures the cluster tolerates; 0 when admission control is off. */
  failoverLevel: z.number().int().min(0).max(32).default(1),
});
export type LabHaSettings = z.infer<typeof LabHaSettings>;

export const LabVmDevices = z.object({
  usbPassthrough: z.boolean().default(false),
  pciPassthrough: z.boolean().default(false),
  vgpu: z.boolean().default(false),
  faultTolerance: z.boolean().default(false),
  /** Disks on a datastore only this VM's host can see. */
  localStorage: z.boolean().default(false),
  /** Datastore path of a mounted ISO, e.g. `[datastore1] iso/tools.iso`. */
  connectedIso: z.string().min(1).optional(),
  /** Names of rules that pin the VM (VM-host must-run-on or VM-VM affinity). */
  affinityRules: z.array(z.string().min(1)).default([]),
});
export type LabVmDevices = z.infer<typeof LabVmDevices>;

export const LabVm = z.object({
  name: Id,
  /** Host the VM runs on: the host's service tag. */
  host: Id,
  powerState: z.enum(['poweredOn', 'poweredOff', 'suspended']).default('poweredOn'),
  cpuMhz: z.number().int().nonnegative(),
  memoryMiB: z.number().int().nonnegative(),
  devices: LabVmDevices.default({
    usbPassthrough: false,
    pciPassthrough: false,
    vgpu: false,
    faultTolerance: false,
    localStorage: false,
    affinityRules: [],
  }),
  isVcenterAppliance: z.boolean().default(false),
});
export type LabVm = z.infer<typeof LabVm>;

/** Firmware state of a host: a profile, then per-FQDD version overrides. */
export const LabFirmware = z.object({
  /** `outdated`: the versions of the captured R750; `current`: the lab catalog's latest. */
  profile: z.enum(['outdated', 'current']).default('outdated'),
  /** FQDD (e.g. `BIOS.Setup.1-1`, `iDRAC.Embedded.1-1`) -> installed version. */
  versions: z.record(z.string().min(1), z.string().min(1)).default({}),
});
export type LabFirmware = z.infer<typeof LabFirmware>;

export const LabHost = z.object({
  /** Dell service tag: the canonical host id everywhere in RackOps. */
  serviceTag: z.string().regex(/^[A-Z0-9]{5,10}$/, 'a service tag is 5-10 upper-case letters or digits'),
  /** ESXi host name as vCenter shows it. */
  name: Id,
  model: z.string().min(1).default('PowerEdge R750'),
  cpuMhz: z.number().int().positive(),
  memoryMiB: z.number().int().positive(),
  /** The iDRAC's management address as the host reports it (the lab serves it on loopback). */
  idracAddress: z.ipv4().optional(),
  powerState: z.enum(['On', 'Off']).default('On'),
  inMaintenanceMode: z.boolean().default(false),
  esxiVersion: z.string().default('8.0.2'),
  firmware: LabFirmware.default({ profile: 'outdated', versions: {} }),
  /** Which iDRAC generation this host's iDRAC impersonates (lab/docs/idrac-personalities.md). */
  idrac: IdracPersonality.default('idrac9-6.x'),
  /**
   * The service tag vSphere reports for this host when it is not its own (a board replaced without
   * re-flashing the tag, some OEM builds): two hosts may then report the same one.
   */
  reportedServiceTag: z.string().min(1).max(20).optional(),
});
export type LabHost = z.infer<typeof LabHost>;

export const LabCluster = z.object({
  name: Id,
  /**
   * Not a cluster: one host vCenter shows as a standalone host (its parent a `ComputeResource`, `domain-s…`),
   * without DRS or HA. The entry keeps the host's name, datastores and VMs as a cluster's would.
   */
  standalone: z.boolean().default(false),
  drsEnabled: z.boolean().default(true),
  ha: LabHaSettings.default({ haEnabled: true, admissionControlEnabled: true, failoverLevel: 1 }),
  hosts: z.array(LabHost).min(1),
  /**
   * vCenter custom attributes set on the cluster, name -> value (`{ "rackops.production": "true" }`): read as the
   * cluster's `customValue`, with the names in `availableField`, as in vSphere.
   */
  customAttributes: z.record(z.string().min(1).max(80), z.string().max(1000)).default({}),
});
export type LabCluster = z.infer<typeof LabCluster>;

export const LabVcenter = z.object({
  id: Id,
  name: Id.optional(),
  version: z.string().default('8.0.2'),
  clusters: z.array(LabCluster).default([]),
  vms: z.array(LabVm).default([]),
  /** Extra standard port groups on every host (e.g. an isolated `dr-test` network for failover tests). */
  portGroups: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}$/)).default([]),
  /** How this vCenter departs from the default behaviour (vcenter-quirks.schema.ts, lab README). */
  quirks: VcenterQuirks.default(() => VcenterQuirks.parse({})), // its own arrays per vCenter: tests change them at run time
});
export type LabVcenter = z.infer<typeof LabVcenter>;

/** Per-host faults a config can start with; the same shape is settable at run time (lab/src/faults). */
/** Subsystems whose rollup a hardware fault degrades (what iDRAC rolls up under the system). */
export const LabHardwareFault = z.object({
  component: z.enum(['processors', 'memory', 'storage', 'power', 'fans', 'temperature']),
  severity: z.enum(['Warning', 'Critical']),
  /** The SEL message; a typical one for the component by default. */
  message: z.string().min(1).max(200).optional(),
});
export type LabHardwareFault = z.infer<typeof LabHardwareFault>;

export const LabHostFaults = z.object({
  /** The host never finishes POST after a reboot (the iDRAC stays reachable). */
  rebootHangs: z.boolean().default(false),
  /** Firmware jobs end Failed (or CompletedWithErrors) instead of Completed; `failed` fails SCP imports too. */
  jobOutcome: z.enum(['ok', 'failed', 'completedWithErrors']).default('ok'),
  /** Lifecycle Controller reports not ready; update requests are refused. */
  lcNotReady: z.boolean().default(false),
  /** Number of stale (old, never-run) jobs in the iDRAC queue. */
  staleJobs: z.number().int().min(0).max(50).default(0),
  /** vCenter's DRS cannot evacuate this host (the vCenter simulator honours it). */
  drsCannotEvacuate: z.boolean().default(false),
  /** VMware Tools on this host's VMs cannot quiesce: a quiesced CreateSnapshot_Task fails (ApplicationQuiesceFault). */
  vmQuiesceFails: z.boolean().default(false),
  /** Extra latency on every iDRAC response, in real milliseconds (not time-scaled). */
  slowMs: z.number().int().min(0).max(120_000).default(0),
  /** Probability (0..1) that a request is answered 503. */
  errorRate: z.number().min(0).max(1).default(0),
  /** Probability (0..1) that a request's connection is dropped without an answer. */
  dropRate: z.number().min(0).max(1).default(0),
  /**
   * A failing part: the system's and that subsystem's health rollups turn to `severity`, and the SEL and the
   * Lifecycle Controller log each gain an entry when it is set (and an OK one when it is cleared).
   */
  hardware: LabHardwareFault.nullable().default(null),
  /** The iDRAC web server certificate expires this many days from the lab clock's now (negative: expired). */
  certificateExpiresInDays: z.number().int().min(-3650).max(3650).nullable().default(null),
});
export type LabHostFaults = z.infer<typeof LabHostFaults>;

export const LabOme = z.object({ id: Id });

export const LabConfig = z
  .object({
    name: Id.default('lab'),
    /** Seed for everything random in the lab (faults, ids): same seed, same lab. */
    seed: z.number().int().default(1),
    /** Real durations are multiplied by this (1/60 in the demo, much smaller in tests). */
    timeScale: z
      .number()
      .positive()
      .max(1)
      .default(1 / 60),
    credentials: z
      .object({
        idrac: z
          .object({ username: z.string(), password: z.string() })
          .default({ username: 'root', password: 'calvin' }),
        vcenter: z
          .object({ username: z.string(), password: z.string() })
          .default({ username: 'administrator@vsphere.local', password: 'Lab-Passw0rd!' }),
        ome: z
          .object({ username: z.string(), password: z.string() })
          .default({ username: 'admin', password: 'Lab-Passw0rd!' }),
      })
      .default({
        idrac: { username: 'root', password: 'calvin' },
        vcenter: { username: 'administrator@vsphere.local', password: 'Lab-Passw0rd!' },
        ome: { username: 'admin', password: 'Lab-Passw0rd!' },
      }),
    vcenters: z.array(LabVcenter).min(1),
    omes: z.array(LabOme).default([{ id: 'ome-lab' }]),
    /** service tag -> faults present from the start. */
    faults: z.record(z.string(), LabHostFaults.partial()).default({}),
  })
  .superRefine((cfg, ctx) => {
    // Cross-references zod cannot express field by field: unique tags, VMs on known hosts.
    const tags = new Map<string, string>();
    const clusterNames = new Set<string>();
    cfg.vcenters.forEach((vc, v) => {
      vc.clusters.forEach((cl, c) => {
        if (cl.standalone && cl.hosts.length !== 1)
          ctx.addIssue({
            code: 'custom',
            path: ['vcenters', v, 'clusters', c, 'hosts'],
            message: `standalone ${cl.name} has ${cl.hosts.length} hosts: a standalone entry is one host`,
          });
        // Cluster names are the clusters' ids in the world: unique across the lab.
        if (clusterNames.has(cl.name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['vcenters', v, 'clusters', c, 'name'],
            message: `duplicate cluster name ${cl.name}`,
          });
        }
        clusterNames.add(cl.name);
        cl.hosts.forEach((h, i) => {
          const seen = tags.get(h.serviceTag);
          if (seen) {
            ctx.addIssue({
              code: 'custom',
              path: ['vcenters', v, 'clusters', c, 'hosts', i, 'serviceTag'],
              message: `duplicate service tag ${h.serviceTag} (also at ${seen})`,
            });
          }
          tags.set(h.serviceTag, `vcenters.${v}.clusters.${c}.hosts.${i}`);
        });
      });
    });
    cfg.vcenters.forEach((vc, v) => {
      const own = new Set(vc.clusters.flatMap((cl) => cl.hosts.map((h) => h.serviceTag)));
      vc.vms.forEach((vm, i) => {
        if (!own.has(vm.host)) {
          ctx.addIssue({
            code: 'custom',
            path: ['vcenters', v, 'vms', i, 'host'],
            message: `VM ${vm.name} is on unknown host ${vm.host} (not a host of vCenter ${vc.id})`,
          });
        }
      });
    });
    for (const tag of Object.keys(cfg.faults)) {
      if (!tags.has(tag)) {
        ctx.addIssue({ code: 'custom', path: ['faults', tag], message: `faults for unknown host ${tag}` });
      }
    }
  });
export type LabConfig = z.infer<typeof LabConfig>;
export type LabConfigInput = z.input<typeof LabConfig>;

/** Validate a lab config; throws a ValidationError naming each bad field. */
export function parseLabConfig(input: unknown): LabConfig {
  return parseOrThrow(LabConfig, input, 'lab config');
}
