import type { ClusterState } from '../../world/types';
import { arr, bool, en, int, long, mor, morArray, obj, str, type Vim } from '../soap/vim-value';
import type { VcContext } from '../vc-context';
import { fromGetters, type ManagedObject } from './managed-object';
import {
  computeResourceType,
  HOST_FOLDER,
  localDatastoreOf,
  MGMT_NETWORK,
  resourcePoolOf,
  sharedDatastoreOf,
  VM_NETWORK,
} from './morefs';

/**
 * Affinity rules from the VMs' rule names. A name starting `vmvm-` or `affinity-` is a VM-VM affinity
 * rule (ClusterAffinityRuleSpec: the VMs move together); any other name is a mandatory VM-host
 * "must run on" rule (ClusterVmHostRuleInfo with VM and host groups), which pins the VM to its host.
 */
export function clusterRules(ctx: VcContext, c: ClusterState): { rules: Vim[]; groups: Vim[] } {
  const byRule = new Map<string, { vms: string[]; hosts: Set<string> }>();
  for (const hostId of c.hostIds) {
    for (const vm of ctx.world.vmsOnHost(hostId)) {
      for (const rule of vm.devices.affinityRules) {
        const entry = byRule.get(rule) ?? { vms: [], hosts: new Set<string>() };
        entry.vms.push(vm.moref);
        entry.hosts.add(ctx.world.host(hostId).moref);
        byRule.set(rule, entry);
      }
    }
  }
  const rules: Vim[] = [];
  const groups: Vim[] = [];
  let key = 1;
  for (const [name, { vms, hosts }] of [...byRule].sort(([a], [b]) => a.localeCompare(b))) {
    const common = {
      key: int(key++),
      status: en('ManagedEntityStatus', 'green'),
      enabled: bool(true),
      name: str(name),
    };
    if (isVmVmRule(name)) {
      rules.push(
        obj('ClusterAffinityRuleSpec', {
          ...common,
          mandatory: bool(false),
          userCreated: bool(true),
          inCompliance: bool(true),
          vm: vms.map((v) => mor('VirtualMachine', v)),
        }),
      );
      continue;
    }
    const vmGroup = `${name}-vms`;
    const hostGroup = `${name}-hosts`;
    rules.push(
      obj('ClusterVmHostRuleInfo', {
        ...common,
        mandatory: bool(true),
        userCreated: bool(true),
        inCompliance: bool(true),
        vmGroupName: str(vmGroup),
        affineHostGroupName: str(hostGroup),
      }),
    );
    groups.push(
      obj('ClusterVmGroup', {
        name: str(vmGroup),
        userCreated: bool(true),
        vm: vms.map((v) => mor('VirtualMachine', v)),
      }),
      obj('ClusterHostGroup', {
        name: str(hostGroup),
        userCreated: bool(true),
        host: [...hosts].map((h) => mor('HostSystem', h)),
      }),
    );
  }
  return { rules, groups };
}

export function isVmVmRule(name: string): boolean {
  return name.startsWith('vmvm-') || name.startsWith('affinity-');
}

export function admissionPolicy(ctx: VcContext, c: ClusterState): Vim | undefined {
  const extra = ctx.haPolicy.get(c.id);
  if (extra?.policy === 'resourcePercentage') {
    return obj('ClusterFailoverResourcesAdmissionControlPolicy', {
      cpuFailoverResourcesPercent: int(extra.cpuFailoverPercent ?? 25),
      memoryFailoverResourcesPercent: int(extra.memoryFailoverPercent ?? 25),
      failoverLevel: int(c.ha.failoverLevel),
      autoComputePercentages: bool(false),
    });
  }
  return obj('ClusterFailoverLevelAdmissionControlPolicy', { failoverLevel: int(c.ha.failoverLevel) });
}

function configurationEx(ctx: VcContext, c: ClusterState): Vim {
  const { rules, groups } = clusterRules(ctx, c);
  // Quirk `emptyElements`: a cluster whose HA is off and unconfigured answers an empty ClusterDasConfigInfo.
  const unconfigured = ctx.vcenter.quirks.emptyElements && !c.ha.haEnabled && !c.ha.admissionControlEnabled;
  return obj('ClusterConfigInfoEx', {
    dasConfig: unconfigured
      ? obj('ClusterDasConfigInfo', {})
      : obj('ClusterDasConfigInfo', {
          enabled: bool(c.ha.haEnabled),
          vmMonitoring: str('vmMonitoringDisabled'),
          hostMonitoring: str('enabled'),
          vmComponentProtecting: str('disabled'),
          failoverLevel: int(c.ha.failoverLevel),
          admissionControlPolicy: admissionPolicy(ctx, c),
          admissionControlEnabled: bool(c.ha.admissionControlEnabled),
          defaultVmSettings: obj('ClusterDasVmSettings', {
            restartPriority: str('medium'),
            isolationResponse: str('none'),
          }),
          hBDatastoreCandidatePolicy: str('allFeasibleDsWithUserPreference'),
        }),
    drsConfig: obj('ClusterDrsConfigInfo', {
      enabled: bool(c.drsEnabled),
      enableVmBehaviorOverrides: bool(true),
      defaultVmBehavior: en('DrsBehavior', 'fullyAutomated'),
      vmotionRate: int(3),
    }),
    rule: rules,
    group: groups,
    dpmConfigInfo: obj('ClusterDpmConfigInfo', { enabled: bool(false) }),
  });
}

/**
 * The vCenter's custom attribute definitions for clusters (CustomFieldsManager.field): one per name used on any
 * of its clusters, keys in name order from 101, as vCenter numbers the fields it creates.
 */
function clusterFields(ctx: VcContext, c: ClusterState): { key: number; name: string }[] {
  const names = new Set<string>();
  for (const other of ctx.world.clusters.values())
    if (other.vcenterId === c.vcenterId) for (const n of Object.keys(other.customAttributes)) names.add(n);
  return [...names].sort().map((name, i) => ({ key: 101 + i, name }));
}

function availableField(ctx: VcContext, c: ClusterState): Vim {
  return arr(
    'CustomFieldDef',
    clusterFields(ctx, c).map((f) =>
      obj('CustomFieldDef', {
        key: int(f.key),
        name: str(f.name),
        type: str('string'),
        managedObjectType: str('ClusterComputeResource'),
      }),
    ),
  );
}

/** ManagedEntity.customValue: only the attributes set on this cluster. */
function customValue(ctx: VcContext, c: ClusterState): Vim {
  return arr(
    'CustomFieldValue',
    clusterFields(ctx, c)
      .filter((f) => Object.hasOwn(c.customAttributes, f.name))
      .map((f) =>
        obj('CustomFieldStringValue', { key: int(f.key), value: str(c.customAttributes[f.name] ?? '') }),
      ),
  );
}

export function clusterObject(ctx: VcContext, c: ClusterState): ManagedObject {
  const { world } = ctx;
  const hosts = () => c.hostIds.map((id) => world.host(id));
  const summary = () => {
    const hs = hosts();
    const live = hs.filter((h) => h.connectionState === 'connected' && !h.inMaintenanceMode);
    const mhz = (xs: typeof hs) => xs.reduce((s, h) => s + h.cpuMhz, 0);
    const mib = (xs: typeof hs) => xs.reduce((s, h) => s + h.memoryMiB, 0);
    return obj('ClusterComputeResourceSummary', {
      totalCpu: int(mhz(hs)),
      totalMemory: long(mib(hs) * 1024 * 1024),
      numCpuCores: int(hs.length * 64),
      numCpuThreads: int(hs.length * 128),
      effectiveCpu: int(mhz(live)),
      effectiveMemory: long(mib(live)),
      numHosts: int(hs.length),
      numEffectiveHosts: int(live.length),
      overallStatus: en('ManagedEntityStatus', 'green'),
      currentFailoverLevel: int(c.ha.haEnabled ? c.ha.failoverLevel : 0),
      numVmotions: int(0),
    });
  };
  return fromGetters(
    { type: computeResourceType(c), value: c.moref },
    {
      name: () => str(c.name),
      parent: () => mor('Folder', HOST_FOLDER),
      overallStatus: () => en('ManagedEntityStatus', 'green'),
      host: () => morArray(hosts().map((h) => mor('HostSystem', h.moref))),
      resourcePool: () => mor('ResourcePool', resourcePoolOf(c)),
      datastore: () =>
        morArray([
          mor('Datastore', sharedDatastoreOf(c)),
          ...hosts().map((h) => mor('Datastore', localDatastoreOf(h))),
        ]),
      network: () => morArray([mor('Network', VM_NETWORK), mor('Network', MGMT_NETWORK)]),
      summary,
      availableField: () => availableField(ctx, c),
      customValue: () => customValue(ctx, c),
      configurationEx: () => configurationEx(ctx, c),
      // The pre-4.0 property some clients still read; same content under its own type.
      configuration: () => {
        const ex = configurationEx(ctx, c) as Extract<Vim, { kind: 'obj' }>;
        return obj('ClusterConfigInfo', {
          dasConfig: ex.fields.dasConfig,
          drsConfig: ex.fields.drsConfig,
          rule: ex.fields.rule,
        });
      },
    },
  );
}
