import type { DrPlacement } from '@rackops/core/replication/protection-group.schema';

/** The `dr-…` words of `pg create|edit` as the group's placement; `undefined` when none was given. */
export function drPlacementOf(args: {
  'dr-cluster'?: string | undefined;
  'dr-pool'?: string | undefined;
  'dr-nfs'?: string | undefined;
  'dr-net'?: string | undefined;
}): DrPlacement | undefined {
  const dr = {
    ...(args['dr-cluster'] ? { cluster: args['dr-cluster'] } : {}),
    ...(args['dr-pool'] ? { resourcePool: args['dr-pool'] } : {}),
    ...(args['dr-nfs'] ? { nfsServer: args['dr-nfs'] } : {}),
    ...(args['dr-net'] ? { portGroup: args['dr-net'] } : {}),
  };
  return Object.keys(dr).length ? dr : undefined;
}

/** The placement as `pg GROUP` shows it. */
export const describeDr = (dr: DrPlacement): string =>
  [
    ...(dr.vcenterId ? [`vCenter ${dr.vcenterId}`] : []),
    `cluster ${dr.cluster ?? '—'}`,
    `pool ${dr.resourcePool ?? '—'}`,
    `NFS ${dr.nfsServer ?? '—'}`,
    ...(dr.portGroup ? [`network ${dr.portGroup}`] : []),
  ].join(', ');
