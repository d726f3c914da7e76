import type { Catalog } from '@rackops/core/catalog/catalog.schema';
import { STATE_DATA_LIMIT_BYTES, payloadBytes } from '@rackops/local/engine/data-limit';
import type { LocalEngine } from '@rackops/local/engine/local-engine';
import { afterEach, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import { type TestStore, startTestStore } from './helpers/dynalite-store';
import { CLUSTER_ID, seedCluster, startRolloutEngine } from './helpers/rollout-rig';
import type { ScriptedGear } from './helpers/scripted-gear';

// Step Functions refuses any state over 256 KiB (States.DataLimitExceeded), and the local engine enforces it
// too (local/src/engine/data-limit.ts). A vSphere cluster holds up to 96 hosts; a server has a dozen firmware
// packages to update. The whole rolling update of such a cluster must stay well under the limit.

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
    await seedCluster(store, tags, {
      clusterName: 'big',
      hostName: (i) => `esx${String(i + 1).padStart(3, '0')}.cluster-big.datacenter.example.internal`,
      vmCpuMhz: 20_000,
    });
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
    const started = startRolloutEngine({
      store,
      tags,
      notifier: { notify: async () => {} },
      catalog: { load: async () => ({ catalog, url: `${BASE}/Catalog.xml` }) },
      wrap: measure,
    });
    engine = started.engine;
    const gear = started.gear;
    gear.extraComponents = extra;
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
