import type { Catalog } from '@rackops/core/catalog/catalog.schema';
import type { Cluster, Host, Vm } from '@rackops/core/inventory/inventory.schema';
import type { Store } from '@rackops/core/ports/store.port';
import { buildWorkflowDefinitions, substituteDefinition } from '@rackops/core/workflows/index';
import { STATE_DATA_LIMIT_BYTES, payloadBytes } from '@rackops/local/engine/data-limit';
import { LocalEngine } from '@rackops/local/engine/local-engine';
import { afterEach, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import { createJobOpsHandler } from '../src/handlers/job-ops.handler';
import { type TestStore, startTestStore } from './helpers/dynalite-store';
import { ScriptedGear } from './helpers/scripted-gear';

// Step Functions refuses any state over 256 KiB (States.DataLimitExceeded), and the local engine enforces it
// too (local/src/engine/data-limit.ts). A vSphere cluster holds up to 96 hosts; a server has a dozen firmware
// packages to update. The whole rolling update of such a cluster must stay well under the limit.

const VC = 'vc1';
const CLUSTER_ID = 'vc1/domain-c1';
const BASE = 'https://repository.datacenter.example.internal/dell/firmware/catalogs';

/** A catalog of `n` reboot-required components at 2.0.0 with realistic names, paths (urls ~100 chars), sha256. */
function catalogOf(n: number): { catalog: Catalog; extra: { softwareId: string; name: string }[] } {
  const comps = Array.from({ length: n }, (_, i) => ({
    softwareId: i === 0 ? '159' : String(30_000 + i),
    name: i === 0 ? 'BIOS' : `PowerEdge Server Component Firmware Module ${String(i).padStart(3, '0')}`,
  }));
  return {
    extra: comps.slice(1),
    catalog: {
      baseLocation: BASE,
      baseLocationAccessProtocols: ['HTTPS'],
      version: 'catalog-2026.12',
      components: comps.map((c, i) => ({
        path: `FOLDER0${i}/Firmware_${c.softwareId}_WN64_2.0.0_A00.EXE`,
        name: c.name,
        vendorVersion: '2.0.0',
        criticality: 'Recommended',
        rebootRequired: true,
        sha256: `${i}`.padStart(64, 'f'),
        devices: [{ componentId: c.softwareId, pci: [] }],
        systemIds: ['090E'],
      })),
      warnings: [],
    },
  };
}

async function seedCluster(store: Store, tags: string[]) {
  const cluster: Cluster = {
    id: CLUSTER_ID,
    name: 'big',
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
      name: `esx${String(i + 1).padStart(3, '0')}.cluster-big.datacenter.example.internal`,
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
      cpuMhz: 20_000,
      memoryMiB: 1024,
      isVcenterAppliance: false,
      devices: {
        usbPassthrough: false,
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

describe('workflow state size: a rolling update of a big cluster stays under the 256 KiB limit', () => {
  let ts: TestStore | undefined;
  let engine: LocalEngine | undefined;
  afterEach(async () => {
    await engine?.stop();
    await ts?.close();
    engine = undefined;
    ts = undefined;
  });

  /** Runs a whole rolling update of `hosts` hosts × `packages` packages; the largest payload seen, per function. */
  async function rollout(hosts: number, packages: number, batchSize: number) {
    ts = await startTestStore();
    const store = ts.store;
    const tags = Array.from({ length: hosts }, (_, i) => `TAG${String(i).padStart(4, '0')}`);
    await seedCluster(store, tags);
    const { catalog, extra } = catalogOf(packages);
    const largest = { state: 0, stateOp: '', dispatch: 0, result: 0 };
    const measure = (fn: (p: unknown) => Promise<unknown>, fnName: 'jobops' | 'dispatch') => {
      return async (p: unknown) => {
        const inBytes = payloadBytes(p);
        if (fnName === 'jobops' && inBytes > largest.state) {
          largest.state = inBytes;
          largest.stateOp = (p as { op: string }).op;
        }
        if (fnName === 'dispatch') largest.dispatch = Math.max(largest.dispatch, inBytes);
        const out = await fn(p);
        largest.result = Math.max(largest.result, payloadBytes(out));
        return out;
      };
    };
    const e: { engine?: LocalEngine } = {};
    const jobOps = createJobOpsHandler({
      store,
      notifier: { notify: async () => {} },
      catalog: { load: async () => ({ catalog, url: `${BASE}/Catalog.xml` }) },
      tasks: {
        sendTaskSuccess: (token, out) => e.engine!.sendTaskSuccess(token, out),
        sendTaskFailure: (token, error, cause) => e.engine!.sendTaskFailure(token, error, cause),
      },
    });
    const gear = new ScriptedGear(tags, async (token, ok, out) => {
      if (ok) await e.engine!.sendTaskSuccess(token, out);
      else {
        const err = out as { code: string; message: string };
        await e.engine!.sendTaskFailure(token, err.code, err.message);
      }
    });
    gear.extraComponents = extra;
    gear.jobs = (id) => store.getJob(id);
    gear.plans = store;
    const defs = buildWorkflowDefinitions();
    engine = new LocalEngine({
      store,
      definitions: Object.fromEntries(
        Object.entries(defs).map(([k, d]) => [
          k,
          substituteDefinition(d, { DispatchFunctionArn: 'dispatch', JobOpsFunctionArn: 'jobops' }),
        ]),
      ),
      functions: {
        dispatch: measure(gear.dispatch, 'dispatch'),
        jobops: measure(jobOps as (p: unknown) => Promise<unknown>, 'jobops'),
      },
      timeScale: 0.01,
    });
    e.engine = engine;
    const created = await store.createJob(
      aJob({ target: { kind: 'cluster', id: CLUSTER_ID }, params: { batchSize } }),
    );
    const job = (await store.claimJob(created.id, { kind: 'system', id: 'rackops' }, created.createdAt))!;
    const arn = engine.executionArn('rolling-cluster-update', job.id);
    await engine.startExecution({
      workflow: 'rolling-cluster-update',
      name: job.id,
      input: { jobId: job.id },
    });
    await engine.waitForExecution(arn);
    const ex = await engine.describeExecution(arn);
    const done = await store.getJob(job.id);
    const updated = tags.filter((t) => gear.hosts.get(t)?.bios === '2.0.0').length;
    const failed = await store.listJobItems<{ phase: string; error?: string; state?: string }>(
      job.id,
      'host',
    );
    const why = failed
      .filter((h) => h.data.phase === 'failed')
      .map((h) => `${h.key}: ${h.data.error ?? h.data.state}`);
    return { ex, done, updated, largest, stagedPackages: countStaged(gear), why };
  }

  const countStaged = (gear: ScriptedGear) =>
    gear.sent
      .filter((s) => s.kind === 'firmware.stage')
      .reduce((n, s) => n + (s.params.packages as unknown[]).length, 0);

  it('96 hosts × 12 packages: every host staged, updated and verified; every payload under half the limit', async () => {
    const r = await rollout(96, 12, 16);
    expect(r.ex?.status, `${r.ex?.error}: ${r.ex?.cause}`).toBe('SUCCEEDED');
    expect(r.done?.status, r.why.join('; ')).toBe('completed');
    expect(r.updated).toBe(96);
    expect(r.stagedPackages).toBe(96 * 12);
    // Half the limit: margin for what a state may grow by (errors, answers) without anyone noticing.
    const half = STATE_DATA_LIMIT_BYTES / 2;
    expect(r.largest.state, `largest state: ${r.largest.stateOp}`).toBeLessThan(half);
    expect(r.largest.dispatch).toBeLessThan(half);
    expect(r.largest.result).toBeLessThan(half);
    console.log(`96×12: largest state ${(r.largest.state / 1024).toFixed(1)} KiB (${r.largest.stateOp})`);
  }, 240_000);

  it('32 hosts × 8 packages (298 KiB of plan when the state carried the firmware): under 32 KiB now', async () => {
    const r = await rollout(32, 8, 4);
    expect(r.ex?.status, `${r.ex?.error}: ${r.ex?.cause}`).toBe('SUCCEEDED');
    expect(r.done?.status, r.why.join('; ')).toBe('completed');
    expect(r.updated).toBe(32);
    expect(r.largest.state).toBeLessThan(STATE_DATA_LIMIT_BYTES / 8);
    console.log(`32×8: largest state ${(r.largest.state / 1024).toFixed(1)} KiB (${r.largest.stateOp})`);
  }, 120_000);
});
