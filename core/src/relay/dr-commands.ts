import { z } from 'zod';
import { BoundedId } from '../util/ids';

/** A vSphere managed object id (`vm-1042`, `resgroup-8`): letters, digits, `-` and `_`, nothing else. */
export const VsphereMoref = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'a managed object id such as vm-1042');

/**
 * A `.vmx` datastore path as vSphere writes it: `[datastore] dir/name.vmx`. Every segment starts with a
 * letter or digit (no `..`, no leading `-`), no quote, `$`, `;`, backslash or control character.
 */
export const VmxDatastorePath = z
  .string()
  .max(400)
  .regex(
    /^\[[A-Za-z0-9][A-Za-z0-9._-]{0,79}\] [A-Za-z0-9][A-Za-z0-9 ._()+-]{0,127}(\/[A-Za-z0-9][A-Za-z0-9 ._()+-]{0,127})*\.vmx$/,
    'a datastore path such as [pg-gold-clone] web-01/web-01.vmx',
  )
  .refine((p) => !p.split(/[/\] ]/).some((s) => s === '..' || s === '.'), 'no . or .. segments');

export const VmUuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a lower-case UUID');

/** A standard or distributed port group name, as vSphere shows it. */
export const PortGroupName = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._()-]*$/, 'a port group name such as dr-test');

/** An NFS server as vSphere is given it: a DNS name or an IPv4/IPv6 address, nothing else. */
export const NfsServer = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9a-fA-F:]{2,39})$/,
    'a host name or address',
  );

/** Datastores RackOps mounts for DR are named `rackops-…` (the clone's name); only those are ever unmounted. */
export const RackopsDatastoreName = z
  .string()
  .max(80)
  .regex(
    /^rackops-[a-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$/,
    'a RackOps datastore name such as rackops-test-gold-20261206T120000Z',
  );

const VmTarget = z.object({ vcenterId: BoundedId, vmMoref: VsphereMoref });

/**
 * The vCenter commands of disaster recovery, run at the DR site. Each is convergent: `vm.register` first
 * looks for the VM by its `.vmx` path and instance UUID and never registers one twice; the others read the
 * VM before they change it.
 */
export const DrCommandParams = {
  'vm.register': z.object({
    vcenterId: BoundedId,
    vmxPath: VmxDatastorePath,
    /**
     * Already registered there (a failback: the original VM, off since the failover): used as it is when it
     * still exists, registered from `vmxPath` otherwise.
     */
    vmMoref: VsphereMoref.optional(),
    /** The source VM's instance UUID (carried in the `.vmx` as `vc.uuid`): how the VM is found again. */
    instanceUuid: VmUuid.optional(),
    /** The name at DR; the `.vmx`'s displayName when absent. */
    name: z
      .string()
      .min(1)
      .max(80)
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ._()-]*$/)
      .optional(),
    resourcePoolMoref: VsphereMoref,
    hostMoref: VsphereMoref.optional(),
    /** The VM folder; the only datacenter's `vmFolder` when absent. */
    folderMoref: VsphereMoref.optional(),
    timeoutSeconds: z.number().int().positive().max(3600).default(300),
  }),
  'vm.unregister': VmTarget.extend({
    /**
     * The VM must live at this path: a guard against unregistering anything but the DR copy. A powered-on
     * copy is powered off first (it runs from a clone or a promoted replica, never from the source).
     */
    vmxPath: VmxDatastorePath,
  }),
  'vm.reconfigure-network': VmTarget.extend({
    portGroup: PortGroupName,
    timeoutSeconds: z.number().int().positive().max(3600).default(300),
  }),
  'vm.guest-shutdown': VmTarget.extend({
    /** Power off when the guest has not shut down after this long (named in the result). */
    timeoutSeconds: z.number().int().positive().max(3600).default(300),
  }),
  'datastore.mount-nfs': z.object({
    vcenterId: BoundedId,
    /** One host of the DR cluster: the lab mounts on every host of the vCenter; vSphere per host. */
    hostMorefs: z.array(VsphereMoref).min(1).max(64),
    name: RackopsDatastoreName,
    remoteHost: NfsServer,
    remotePath: z
      .string()
      .max(1000)
      .regex(/^\/[A-Za-z0-9._:@+-]+(\/[A-Za-z0-9._:@+-]+)*$/, 'an absolute export path')
      .refine((p) => !p.split('/').some((s) => s === '..' || s === '.'), 'no . or .. segments'),
  }),
  'datastore.unmount-nfs': z.object({
    vcenterId: BoundedId,
    hostMorefs: z.array(VsphereMoref).min(1).max(64),
    name: RackopsDatastoreName,
  }),
  'vm.tools-status': z.object({
    vcenterId: BoundedId,
    vmMorefs: z.array(VsphereMoref).min(1).max(500),
    /** Wait up to this long for every VM's Tools heartbeat (0: read once). */
    waitSeconds: z.number().int().min(0).max(3600).default(0),
  }),
};

const ToolsStatus = z.object({
  vmMoref: VsphereMoref,
  toolsRunningStatus: z.string().max(60),
  heartbeat: z.string().max(20),
  ready: z.boolean(),
});

export const DrCommandOutputs = {
  'vm.register': z.object({ vmMoref: VsphereMoref, name: z.string(), registered: z.boolean() }),
  'vm.unregister': z.object({ unregistered: z.boolean(), poweredOff: z.boolean() }),
  'vm.reconfigure-network': z.object({ portGroup: PortGroupName, changed: z.boolean() }),
  'vm.guest-shutdown': z.object({
    powerState: z.literal('poweredOff'),
    /** How it went off: it already was, the guest shut down, or a power-off after the timeout. */
    how: z.enum(['already-off', 'guest-shutdown', 'powered-off-after-timeout', 'powered-off-no-tools']),
    timeoutSeconds: z.number().int(),
  }),
  'datastore.mount-nfs': z.object({ datastoreMoref: VsphereMoref, mounted: z.boolean() }),
  'datastore.unmount-nfs': z.object({ unmounted: z.boolean() }),
  'vm.tools-status': z.object({
    vms: z.array(ToolsStatus),
    allReady: z.boolean(),
    waitedSeconds: z.number(),
  }),
};
