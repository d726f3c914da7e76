import type { Cluster, Host, Vm } from '@rackops/core/inventory/inventory.schema';
import type { Store } from '@rackops/core/ports/store.port';
import { buildWorkflowDefinitions, substituteDefinition } from '@rackops/core/workflows/index';
import { LocalEngine } from '@rackops/local/engine/local-engine';
import { type JobOpsDeps, createJobOpsHandler } from '../../src/handlers/job-ops.handler';
import { ScriptedGear } from './scripted-gear';

export const VC = 'vc1';
export const CLUSTER_ID = 'vc1/domain-c1';

export interface ClusterSeed {
  clusterName: string;
  hostName: (i: number) => string;
  /** Each host's one VM's demand. */
  vmCpuMhz: number;
  usbVmOn?: string[];
  vcsaOn?: string;
}

/** Cluster `CLUSTER_ID` of `VC` in the inventory: a host for each service tag, one powered-on VM on each. */
export async function seedCluster(store: Store, tags: string[], seed: ClusterSeed): Promise<void> {
  const cluster: Cluster = {
    id: CLUSTER_ID,
    name: seed.clusterName,
    vcenterId: VC,
    moref: 'domain-c1',
    drsEnabled: true,
    ha: { haEnabled: true, admissionControlEnabled: true, failoverLevel: 1, policy: 'failoverLevel' },
    production: false,
  };
  await store.putRecord({ type: 'cluster', id: cluster.id, parent: VC, data: cluster });
  for (const [i, tag] of tags.entries()) {
    const host: Host = {
      id: tag,
      name: seed.hostName(i),
      vcenterId: VC,
      clusterId: CLUSTER_ID,
      moref: `host-${i + 1}`,
      serviceTag: tag,
      connectionState: 'connected',
      powerState: 'poweredOn',
      inMaintenanceMode: false,
      cpuMhz: 100_000,
      memoryMiB: 512_000,
    };
    await store.putRecord({ type: 'host', id: tag, parent: CLUSTER_ID, data: host });
    const vm: Vm = {
      id: `${VC}/vm-${i}`,
      name: `app${i}`,
      vcenterId: VC,
      moref: `vm-${i}`,
      hostId: tag,
      clusterId: CLUSTER_ID,
      powerState: 'poweredOn',
      cpuMhz: seed.vmCpuMhz,
      memoryMiB: 1024,
      isVcenterAppliance: seed.vcsaOn === tag,
      devices: {
        usbPassthrough: seed.usbVmOn?.includes(tag) ?? false,
        pciPassthrough: false,
        vgpu: false,
        faultTolerance: false,
        localStorage: false,
        affinityRules: [],
      },
    };
    await store.putRecord({ type: 'vm', id: vm.id, parent: tag, data: vm });
  }
}

type Fn = (payload: unknown) => Promise<unknown>;

/**
 * The workflow definitions on the local engine with the real JobOps handler, device steps answered by gear
 * scripted for `tags`; the begins that wait, and the gear's answers, go back through their task token (the
 * engine, as Step Functions in AWS). `wrap` sees every call of each function (to measure payloads).
 */
export function startRolloutEngine(opts: {
  store: Store;
  tags: string[];
  notifier: JobOpsDeps['notifier'];
  catalog: NonNullable<JobOpsDeps['catalog']>;
  wrap?: (fn: Fn, name: 'dispatch' | 'jobops') => Fn;
}): { engine: LocalEngine; gear: ScriptedGear } {
  const e: { engine?: LocalEngine } = {};
  const jobOps = createJobOpsHandler({
    store: opts.store,
    notifier: opts.notifier,
    catalog: opts.catalog,
    tasks: {
      sendTaskSuccess: (token, out) => e.engine!.sendTaskSuccess(token, out),
      sendTaskFailure: (token, error, cause) => e.engine!.sendTaskFailure(token, error, cause),
    },
  });
  const gear = new ScriptedGear(opts.tags, async (token, ok, out) => {
    if (ok) await e.engine!.sendTaskSuccess(token, out);
    else {
      const err = out as { code: string; message: string };
      await e.engine!.sendTaskFailure(token, err.code, err.message);
    }
  });
  gear.jobs = (id) => opts.store.getJob(id);
  gear.plans = opts.store;
  const wrap = opts.wrap ?? ((fn: Fn) => fn);
  const defs = buildWorkflowDefinitions();
  const engine = new LocalEngine({
    store: opts.store,
    definitions: Object.fromEntries(
      Object.entries(defs).map(([k, d]) => [
        k,
        substituteDefinition(d, { DispatchFunctionArn: 'dispatch', JobOpsFunctionArn: 'jobops' }),
      ]),
    ),
    functions: { dispatch: wrap(gear.dispatch, 'dispatch'), jobops: wrap(jobOps, 'jobops') },
    // Wait loops (the appliance's host, the in-service firmware) in hundredths: 300 s → 3 s.
    timeScale: 0.01,
  });
  e.engine = engine;
  return { engine, gear };
}
