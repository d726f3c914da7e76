import { unlinkedHostId, vcObjectId } from '@rackops/core/inventory/sync-page.schema';
import { z } from 'zod';
import type { ObjectContent } from '../vsphere/vim-decode';
import { MoRef } from '../vsphere/vim-zod';
import type { Parsed } from '../vsphere/vsphere-inventory';
import { serviceTagOf } from './vsphere-host';

interface Read<T> {
  valid: Parsed<T>[];
  rejected: ObjectContent[];
}

/** Which page groups a read with rejected objects cannot give in full (so nothing in them may be marked gone). */
export interface UnreadableGroups {
  /** Host morefs not written at all: rejected, or under a cluster that could not be read. */
  hostsLeftOut: Set<string>;
  /** Parents (cluster id, or the vCenter for standalone hosts) whose host group is incomplete. */
  hostGroups: Set<string>;
  /** Host morefs whose VM group is incomplete (a VM on that host could not be read). */
  vmGroupsOfHost: Set<string>;
  /** A VM whose host is unknown could not be read: no VM group is complete. */
  allVms: boolean;
}

const refOf = (v: unknown): z.infer<typeof MoRef> | undefined => {
  const r = MoRef.safeParse(v);
  return r.success ? r.data : undefined;
};

export function unreadableGroups(
  vcId: string,
  clusters: Read<{ host?: { value: string }[] | undefined }>,
  hosts: Read<{ parent?: { type: string; value: string } | undefined }>,
  vms: Read<unknown>,
): UnreadableGroups {
  const out: UnreadableGroups = {
    hostsLeftOut: new Set(),
    hostGroups: new Set(),
    vmGroupsOfHost: new Set(),
    allVms: false,
  };
  const rejectedClusters = new Set(clusters.rejected.map((c) => c.obj.value));
  for (const h of hosts.valid) {
    const parent = h.facts.parent;
    if (parent?.type === 'ClusterComputeResource' && rejectedClusters.has(parent.value)) {
      out.hostsLeftOut.add(h.obj.value);
      out.hostGroups.add(vcObjectId(vcId, parent.value));
    }
  }
  for (const h of hosts.rejected) {
    out.hostsLeftOut.add(h.obj.value);
    const listed = clusters.valid.find((c) => c.facts.host?.some((m) => m.value === h.obj.value));
    const parent = refOf(h.props.parent);
    const cluster =
      listed?.obj.value ?? (parent?.type === 'ClusterComputeResource' ? parent.value : undefined);
    // Not listed by any readable cluster: standalone, or in a cluster that is itself incomplete.
    out.hostGroups.add(cluster ? vcObjectId(vcId, cluster) : vcId);
  }
  for (const v of vms.rejected) {
    const host = refOf(v.props['runtime.host']);
    if (host) out.vmGroupsOfHost.add(host.value);
    else out.allVms = true;
  }
  return out;
}

const SystemUuid = z.looseObject({ uuid: z.string().min(1).max(100).optional() });

/**
 * Record ids of hosts: the Dell service tag. Two hosts reporting the same tag (a replaced system board, some
 * OEM builds) would collapse into one record, so each of them gets `<tag>~<BIOS UUID>` (the moref when the
 * UUID is missing) — stable across syncs — and a warning names them.
 */
export function hostIds(
  vcId: string,
  hosts: Parsed<{ name: string; 'hardware.systemInfo'?: unknown }>[],
): { hostIdOf: Map<string, string>; duplicates: string[] } {
  const byTag = new Map<string, Parsed<{ name: string; 'hardware.systemInfo'?: unknown }>[]>();
  for (const h of hosts) {
    const tag = serviceTagOf(h.facts['hardware.systemInfo']);
    if (tag) byTag.set(tag, [...(byTag.get(tag) ?? []), h]);
  }
  const hostIdOf = new Map<string, string>();
  const duplicates: string[] = [];
  for (const h of hosts) {
    const tag = serviceTagOf(h.facts['hardware.systemInfo']);
    const same = tag ? (byTag.get(tag) ?? []) : [];
    if (!tag) hostIdOf.set(h.obj.value, unlinkedHostId(vcId, h.obj.value));
    else if (same.length < 2) hostIdOf.set(h.obj.value, tag);
    else {
      const uuid = SystemUuid.safeParse(h.facts['hardware.systemInfo']);
      hostIdOf.set(h.obj.value, `${tag}~${(uuid.success && uuid.data.uuid) || h.obj.value}`);
    }
  }
  for (const [tag, same] of byTag)
    if (same.length > 1)
      duplicates.push(
        `duplicate service tag ${tag}: hosts ${same.map((h) => `${h.facts.name} (${h.obj.value})`).join(', ')} report it; kept apart as ${same.map((h) => hostIdOf.get(h.obj.value)).join(', ')}`,
      );
  return { hostIdOf, duplicates };
}
