import { z } from 'zod';
import { def, name } from './def';

/** Disaster recovery: a test failover, and the planned or unplanned failover of a protection group. */
export const FAILOVER_COMMANDS = {
  failoverTest: def({
    usage: 'failover test GROUP [vms VMS] [cluster NAME] [pool POOL] [nfs ADDRESS] [net PORTGROUP] [confirm]',
    summary: 'test failover: the newest replica cloned and its VMs started at DR on an isolated network',
    examples: ['failover test gold vms web-01,db-01 cluster dr-a pool resgroup-2 nfs 10.0.9.5 confirm'],
    details:
      'Without `confirm`: the plan (VMs, target, replica age), nothing runs. With it: a clone of the newest replica ' +
      'on the target appliance is mounted on the DR cluster NAME, each VM is registered from VM/VM.vmx in it, moved ' +
      'to the port group (default dr-test), powered on and waited on for VMware Tools; then the job pauses with a ' +
      '*Clean up* button that unregisters the VMs, unmounts and destroys the clone. Replication goes on meanwhile. ' +
      "VMS: comma-separated names (default: the group's VMs by the inventory); POOL: the DR resource pool moref; " +
      "ADDRESS: the target appliance's NFS address as the DR hosts reach it.",
    role: 'operator',
    args: z.object({
      group: name,
      vms: z.string().max(2000).optional(),
      cluster: name.optional(),
      pool: name.optional(),
      nfs: name.optional(),
      net: name.optional(),
      confirm: z.boolean().optional(),
    }),
  }),
  failover: def({
    usage:
      'failover GROUP [unplanned REASON] [vms VMS] [cluster NAME] [pool POOL] [nfs ADDRESS] [net PORTGROUP] [confirm]',
    summary:
      'fail a protection group over to DR (planned: no data loss; `unplanned "REASON"`: admin, from the newest replica)',
    examples: [
      'failover gold',
      'failover gold confirm',
      'failover gold unplanned "site A lost power" confirm',
    ],
    details:
      'Without `confirm`: the plan card (VMs, target, replica age, expected data loss), nothing runs. Planned: guest ' +
      'shutdown of the source VMs, a final sync (no write lost), the DR dataset promoted, the VMs registered and ' +
      'powered on at DR; a production group waits for a second person (**approver**) first. `unplanned "REASON"` ' +
      '(**admin**, a reason in quotes): no shutdown or final sync, the newest replica promoted; the loss window is ' +
      "the replica's age. Then the job card asks *Commit* (reverse replication, the group's direction swapped) or " +
      '*Roll back* (VMs at DR powered off and unregistered; discarding what changed at DR asks a second time). ' +
      "Refused while a rollout or another failover runs on those VMs or clusters. CLUSTER, POOL, ADDRESS default to the group's " +
      'placement (`pg edit GROUP dr-cluster … dr-pool … dr-nfs … dr-net …`); PORTGROUP to its `dr-net`, else VM Network.',
    role: 'operator',
    args: z.object({
      group: name,
      unplanned: z.string().trim().min(3, 'a reason of at least 3 characters').max(300).optional(),
      vms: z.string().max(2000).optional(),
      cluster: name.optional(),
      pool: name.optional(),
      nfs: name.optional(),
      net: name.optional(),
      confirm: z.boolean().optional(),
    }),
  }),
};
