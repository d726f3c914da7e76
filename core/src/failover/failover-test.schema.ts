import { z } from 'zod';
import { NfsServer, PortGroupName, VsphereMoref } from '../relay/dr-commands';

/** A VM's name as its directory and `.vmx` carry it on the datastore (vSphere's default layout). */
export const DrVmName = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a VM name such as web-01');

/**
 * `failover_test` job params. The group says what is replicated where; these say where at DR the test runs.
 * Each VM is registered from `<name>/<name>.vmx` in the clone: the path vSphere gave it on the source
 * datastore, which replication carries unchanged.
 */
export const FailoverTestParams = z.object({
  vms: z.array(DrVmName).min(1).max(50),
  resourcePoolMoref: VsphereMoref,
  /** The DR hosts the clone is mounted on (every host the VMs may run on). */
  hostMorefs: z.array(VsphereMoref).min(1).max(64),
  /** The target appliance's NFS address as the DR hosts reach it. */
  nfsServer: NfsServer,
  /** The isolated port group every NIC is moved to: test VMs never reach the production network. */
  portGroup: PortGroupName.default('dr-test'),
  /** How long each VM may take to show a VMware Tools heartbeat after power-on. */
  toolsTimeoutSeconds: z.number().int().min(0).max(3600).default(300),
});
export type FailoverTestParams = z.infer<typeof FailoverTestParams>;
