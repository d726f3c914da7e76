import type { World } from '../world/world';
import type { ClusterState } from '../world/types';
import type { LabHaSettings } from '../config/lab-config.schema';
import { optionalText, readBool, readInt } from './soap/decode';
import { invalidArgument } from './soap/faults';
import { child, type XNode } from './soap/xml-tree';
import type { VcTask } from './tasks';
import type { HaPolicyExtra } from './vc-context';

export const RECONFIGURE_DURATION_MS = 15_000;

/** The part of ClusterConfigSpecEx the lab honours: HA (dasConfig) and DRS enablement. */
export interface ClusterSpec {
  ha: Partial<LabHaSettings>;
  policy?: HaPolicyExtra;
  drsEnabled?: boolean;
}

/** Reads `spec` (ClusterConfigSpecEx) from a ReconfigureComputeResource_Task request. */
export function readClusterSpec(spec: XNode): ClusterSpec {
  const out: ClusterSpec = { ha: {} };
  const das = child(spec, 'dasConfig');
  if (das) {
    if (optionalText(das, 'enabled') !== undefined) out.ha.haEnabled = readBool(das, 'enabled', false);
    if (optionalText(das, 'admissionControlEnabled') !== undefined) {
      out.ha.admissionControlEnabled = readBool(das, 'admissionControlEnabled', true);
    }
    // `failoverLevel` directly on dasConfig is the deprecated form; the policy object wins when both are set.
    const legacy = readInt(das, 'failoverLevel');
    if (legacy !== undefined) out.ha.failoverLevel = legacy;
    const policy = child(das, 'admissionControlPolicy');
    if (policy) {
      const type = policy.attrs['xsi:type'];
      if (type === 'ClusterFailoverLevelAdmissionControlPolicy') {
        const level = readInt(policy, 'failoverLevel');
        if (level === undefined) throw invalidArgument('dasConfig.admissionControlPolicy.failoverLevel');
        out.ha.failoverLevel = level;
        out.policy = { policy: 'failoverLevel' };
      } else if (type === 'ClusterFailoverResourcesAdmissionControlPolicy') {
        const cpu = readInt(policy, 'cpuFailoverResourcesPercent');
        const mem = readInt(policy, 'memoryFailoverResourcesPercent');
        const level = readInt(policy, 'failoverLevel');
        if (level !== undefined) out.ha.failoverLevel = level;
        out.policy = {
          policy: 'resourcePercentage',
          ...(cpu === undefined ? {} : { cpuFailoverPercent: cpu }),
          ...(mem === undefined ? {} : { memoryFailoverPercent: mem }),
        };
      } else {
        throw invalidArgument('dasConfig.admissionControlPolicy');
      }
    }
  }
  const drs = child(spec, 'drsConfig');
  if (drs && optionalText(drs, 'enabled') !== undefined) out.drsEnabled = readBool(drs, 'enabled', true);
  return out;
}

/** What `modify=false` resets unset fields to (a fresh cluster's configuration). */
const DEFAULTS: LabHaSettings = { haEnabled: false, admissionControlEnabled: true, failoverLevel: 1 };

/** Validates before the task starts: vCenter rejects a failover level the cluster cannot have. */
export function validateClusterSpec(cluster: ClusterState, spec: ClusterSpec): void {
  const level = spec.ha.failoverLevel;
  if (level !== undefined && (level < 0 || (level > 0 && level >= cluster.hostIds.length))) {
    throw invalidArgument('dasConfig.admissionControlPolicy.failoverLevel');
  }
  for (const pct of [spec.policy?.cpuFailoverPercent, spec.policy?.memoryFailoverPercent]) {
    if (pct !== undefined && (pct < 0 || pct > 100))
      throw invalidArgument('dasConfig.admissionControlPolicy');
  }
}

/** ReconfigureComputeResource_Task: `modify=true` merges into the current settings, false replaces them. */
export async function runReconfigureCluster(
  world: World,
  haPolicy: Map<string, HaPolicyExtra>,
  cluster: ClusterState,
  spec: ClusterSpec,
  modify: boolean,
  task: VcTask,
  /** Quirk `revertsHaChanges`: the task succeeds, then the HA settings snap back to what they were. */
  reverts = false,
): Promise<void> {
  const before = { ...cluster.ha };
  const clock = world.clock;
  task.start(clock.now());
  task.setProgress(10);
  await clock.sleep(RECONFIGURE_DURATION_MS);
  if (world.isStopped) return;
  const base = modify ? cluster.ha : DEFAULTS;
  world.setClusterHa(cluster.id, { ...base, ...spec.ha });
  if (spec.policy) haPolicy.set(cluster.id, spec.policy);
  else if (!modify) haPolicy.delete(cluster.id);
  // The world has no setter for DRS; the flag is plain state the vCenter simulator owns.
  if (spec.drsEnabled !== undefined) cluster.drsEnabled = spec.drsEnabled;
  else if (!modify) cluster.drsEnabled = false;
  task.succeed(clock.now());
  if (reverts) world.setClusterHa(cluster.id, before);
}
