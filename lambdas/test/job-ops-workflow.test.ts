import type { Catalog } from '@rackops/core/catalog/catalog.schema';
import { JobReport } from '@rackops/core/jobs/job-report.schema';
import type { Job } from '@rackops/core/jobs/job.schema';
import type { NotificationEvent } from '@rackops/core/ports/notifier.port';
import type { Store } from '@rackops/core/ports/store.port';
import { resumeJob } from '@rackops/core/usecases/resume-job';
import type { LocalEngine } from '@rackops/local/engine/local-engine';
import { createLocalOrchestrator } from '@rackops/local/engine/local-orchestrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import { createJobOpsHandler } from '../src/handlers/job-ops.handler';
import { type TestStore, startTestStore } from './helpers/dynalite-store';
import { CLUSTER_ID, VC, seedCluster, startRolloutEngine } from './helpers/rollout-rig';
import type { ScriptedGear } from './helpers/scripted-gear';

// The workflow definitions run on the local engine with the real JobOps handler over dynalite; device steps are
// answered by a scripted datacenter (the scenarios drive the real relay agent and lab).

const TAGS = ['TAG0001', 'TAG0002', 'TAG0003', 'TAG0004', 'TAG0005', 'TAG0006'];

const catalog: Catalog = {
  baseLocation: 'https://127.0.0.1:9/repo',
  baseLocationAccessProtocols: ['HTTPS'],
  version: 'test-catalog-1',
  components: [
    {
      path: 'BIOS/bios_2.0.0.exe',
      name: 'BIOS',
      vendorVersion: '2.0.0',
      criticality: 'Recommended',
      rebootRequired: true,
      devices: [{ componentId: '159', pci: [] }],
      systemIds: ['090E'],
    },
  ],
  warnings: [],
};

/** The same catalog plus an iDRAC package: the iDRAC applies it at once, without a host reboot. */
const withIdrac: Catalog = {
  ...catalog,
  components: [
    ...catalog.components,
    {
      path: 'iDRAC/idrac_7.0.0.exe',
      name: 'iDRAC',
      vendorVersion: '7.0.0',
      criticality: 'Recommended',
      rebootRequired: false,
      devices: [{ componentId: '25227', pci: [] }],
      systemIds: ['090E'],
    },
  ],
};

const seedInventory = (store: Store, opts: { usbVmOn?: string[]; vcsaOn?: string } = {}) =>
  seedCluster(store, TAGS, {
    clusterName: 'lab-b',
    hostName: (i) => `esx${i + 1}.lab`,
    // 200 GHz of demand: with failover level 1, k = 6 - 1 - ceil(220/100) = 2 hosts out at once.
    vmCpuMhz: 200_000 / TAGS.length,
    ...opts,
  });

describe('rolling cluster update workflow (local engine, real JobOps, scripted gear)', () => {
  let ts: TestStore;
  let engine: LocalEngine;
  let gear: ScriptedGear;
  const notes: NotificationEvent[] = [];
  let testCatalog = catalog;

  beforeEach(async () => {
    ts = await startTestStore();
    notes.length = 0;
    testCatalog = catalog;
    ({ engine, gear } = startRolloutEngine({
      store: ts.store,
      tags: TAGS,
      notifier: { notify: async (e) => void notes.push(e) },
      catalog: { load: async () => ({ catalog: testCatalog, url: 'https://127.0.0.1:9/repo/Catalog.xml' }) },
    }));
  });

  afterEach(async () => {
    await engine.stop();
    await ts.close();
  });

  /** A rolling update of the seeded cluster, claimed (running) as the claim handler leaves it. */
  async function claimedJob(params: Record<string, unknown> = {}): Promise<Job> {
    const job = await ts.store.createJob(aJob({ target: { kind: 'cluster', id: CLUSTER_ID }, params }));
    return (await ts.store.claimJob(job.id, { kind: 'system', id: 'rackops' }, job.createdAt))!;
  }

  async function startJob(params: Record<string, unknown> = {}): Promise<Job> {
    const job = await claimedJob(params);
    await engine.startExecution({
      workflow: 'rolling-cluster-update',
      name: job.id,
      input: { jobId: job.id },
    });
    return job;
  }

  const outcome = async (job: Job) => {
    await engine.waitForExecution(engine.executionArn('rolling-cluster-update', job.id));
    const ex = await engine.describeExecution(engine.executionArn('rolling-cluster-update', job.id));
    const done = (await ts.store.getJob(job.id))!;
    // The execution itself always ends SUCCEEDED: failures are reported through the job.
    expect(ex?.status, `${ex?.error}: ${ex?.cause}`).toBe('SUCCEEDED');
    return done;
  };

  /** The report the card lays out (job item note/report). */
  const reportOf = async (job: Job) => JobReport.parse(await ts.store.getJobItem(job.id, 'note', 'report'));
  const hostRow = (r: JobReport, id: string) => r.hosts.find((h) => h.hostId === id);

  const waitFor = async (pred: () => Promise<boolean>, ms = 15_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await pred()) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('condition not met in time');
  };

  const hostOf = (x: { params: Record<string, unknown>; target: { id: string } }) =>
    (x.params.hostId as string | undefined) ?? x.target.id;
  const at = (kind: string, host: string) =>
    gear.sent.find((x) => x.kind === kind && hostOf(x) === host)?.at ?? Number.NaN;
  const slowApply = (host: string, ms: number) => {
    gear.onCommand = async (x) => {
      if (x.kind === 'host.apply-and-reboot' && hostOf(x) === host)
        await new Promise((r) => setTimeout(r, ms));
    };
  };

  it('a freed slot starts the next host at once: no batch waits for its slowest host, never more than k out', async () => {
    await seedInventory(ts.store);
    slowApply('TAG0001', 600);
    const done = await outcome(await startJob());
    expect(done.status, done.error).toBe('completed');
    // TAG0002 (same batch) finished long before TAG0001: TAG0003 took its slot while TAG0001 was still out.
    expect(at('host.enter-maintenance', 'TAG0003')).toBeLessThan(at('host.exit-maintenance', 'TAG0001'));
    expect(gear.maxInMaintenance).toBe(2);
    // Every host was staged and backed up before the first one left service.
    const kinds = gear.sent.map((x) => x.kind);
    expect(kinds.lastIndexOf('scp.export')).toBeLessThan(kinds.indexOf('host.enter-maintenance'));
  }, 60_000);

  it("the vCenter appliance's host waits until every other host is finished, then goes", async () => {
    await seedInventory(ts.store, { vcsaOn: 'TAG0002' });
    slowApply('TAG0006', 400);
    const done = await outcome(await startJob());
    expect(done.status, done.error).toBe('completed');
    const othersBack = Math.max(
      ...TAGS.filter((t) => t !== 'TAG0002').map((t) => at('host.exit-maintenance', t)),
    );
    expect(at('host.enter-maintenance', 'TAG0002')).toBeGreaterThan(othersBack);
    expect(gear.hosts.get('TAG0002')!.bios).toBe('2.0.0');
  }, 60_000);

  it("the appliance's host waits a few looks for a host not yet started, then goes (no deadlock)", async () => {
    const jobOps = createJobOpsHandler({ store: ts.store, notifier: { notify: async () => {} } });
    const job = await claimedJob();
    // TAG0001 planned but not started: as if an engine had started the appliance's host first.
    await ts.store.putJobItem(job.id, 'host', 'TAG0001', { hostId: 'TAG0001', phase: 'pending' });
    const host = { hostId: 'TAG0002', packages: [], expected: [], wave: 0, waveSize: 2, last: true };
    const begin = async () =>
      (await jobOps({ op: 'host-begin', jobId: job.id, state: { jobId: job.id, host } })) as {
        go: boolean;
        wait: boolean;
      };
    for (let i = 0; i < 3; i++) expect(await begin()).toMatchObject({ go: false, wait: true });
    expect(await begin()).toMatchObject({ go: true, wait: false });
  });

  it('updates every host in batches of k, staging first, and restores HA', async () => {
    await seedInventory(ts.store);
    // Reboots take a moment (as they do), so a batch's hosts are out together.
    gear.onCommand = async (x) => {
      if (x.kind === 'host.apply-and-reboot') await new Promise((r) => setTimeout(r, 100));
    };
    const job = await startJob();
    const done = await outcome(job);
    expect(done.status, done.error).toBe('completed');
    expect([...gear.hosts.values()].map((h) => h.bios)).toEqual(TAGS.map(() => '2.0.0'));
    const kinds = gear.sent.map((s) => s.kind);
    expect(kinds.lastIndexOf('firmware.stage')).toBeLessThan(kinds.indexOf('host.enter-maintenance'));
    expect(gear.maxInMaintenance).toBe(2);
    expect(gear.ha.admissionControlEnabled).toBe(true);
    expect(done.summary).toMatch(/HA admission control restored/);
    for (const tag of TAGS) expect(done.summary).toContain(`${tag}): updated`);
    // One line to read first; the notification is that line (the card carries the table), not the report.
    const report = await reportOf(job);
    expect(report.summary).toMatch(/^6 hosts updated, \d+ s, HA restored$/);
    expect(report.hosts.map((h) => [h.hostId, h.status, h.packages])).toEqual(
      TAGS.map((t) => [t, 'updated', 1]),
    );
    expect(
      report.hosts.every((h) => h.applied.join() === 'BIOS → 2.0.0' && h.durationSeconds !== undefined),
    ).toBe(true);
    expect(notes.filter((n) => n.kind.startsWith('job_'))).toEqual([
      { kind: 'job_completed', jobId: job.id, summary: report.summary },
    ]);
    // The first run in a process also pays for validating every definition (asl-validator).
  }, 60_000);

  it('completes at preflight when nothing needs an update, touching no host', async () => {
    await seedInventory(ts.store);
    for (const h of gear.hosts.values()) h.bios = '2.0.0';
    const job = await startJob();
    const done = await outcome(job);
    expect(done.status).toBe('completed');
    expect(done.summary).toMatch(/nothing to update/);
    const touching = gear.sent.filter((s) => s.kind !== 'host.preflight');
    expect(touching).toEqual([]);
  });

  it('stale iDRAC jobs: cleared on that host only (policy clear) before anything is staged; policy fail stops at preflight', async () => {
    await seedInventory(ts.store);
    gear.hosts.get('TAG0003')!.staleJobs = ['JID_OLD_1'];
    const refused = await outcome(await startJob());
    expect(refused.status).toBe('failed');
    expect(refused.error ?? refused.summary).toMatch(/TAG0003: 1 stale iDRAC job\(s\): JID_OLD_1/);
    expect(gear.sent.filter((s) => s.kind !== 'host.preflight')).toEqual([]);

    const done = await outcome(await startJob({ staleJobs: 'clear' }));
    expect(done.status, done.error).toBe('completed');
    const kinds = gear.sent.map((s) => `${s.kind} ${hostOf(s)}`);
    expect(kinds.filter((k) => k.startsWith('idrac.clear-stale-jobs'))).toEqual([
      'idrac.clear-stale-jobs TAG0003',
    ]);
    expect(kinds.indexOf('idrac.clear-stale-jobs TAG0003')).toBeLessThan(
      gear.sent.findIndex((s) => s.kind === 'firmware.stage' || s.kind === 'cluster.ha-relax'),
    );
  }, 60_000);

  it('pauses on a critical blocker; the resolution powers the VM off and back on and skips a host', async () => {
    await seedInventory(ts.store, { usbVmOn: ['TAG0002', 'TAG0005'] });
    const job = await startJob();
    await waitFor(async () => (await ts.store.getJob(job.id))?.status === 'paused');
    const stagedBefore = gear.sent.filter((s) => s.kind === 'firmware.stage').length;
    expect(stagedBefore).toBe(0);
    await resumeJob(
      {
        store: ts.store,
        orchestrator: createLocalOrchestrator(engine),
        scheduler: { scheduleAt: async () => {}, scheduleEvery: async () => {}, cancel: async () => {} },
        notifier: { notify: async () => {} },
        clock: { now: () => new Date() },
        startJob: async () => undefined,
      },
      {
        jobId: job.id,
        actor: { kind: 'user', id: 'u-bob', name: 'Bob' },
        resolution: {
          jobId: job.id,
          hosts: [
            { hostId: 'TAG0002', skipHost: false, vms: [{ vmId: `${VC}/vm-1`, action: 'power_off' }] },
            { hostId: 'TAG0005', skipHost: true, vms: [] },
          ],
        },
      },
    );
    const done = await outcome(job);
    expect(done.status, done.error).toBe('completed');
    const offOn = gear.sent.filter((s) => s.kind === 'vm.power').map((s) => s.params.state);
    expect(offOn).toEqual(['off', 'on']);
    expect(gear.vmPower.get('vm-1')).toBe('on');
    // The skipped host was read and backed up (before the pause), never staged, in maintenance or rebooted.
    expect(
      gear.sent.filter((s) => s.target.id === 'TAG0005' || s.params.hostId === 'TAG0005').map((s) => s.kind),
    ).toEqual(['host.preflight', 'scp.export']);
    expect(gear.hosts.get('TAG0005')!.bios).toBe('1.0.0');
    expect(done.summary).toMatch(/TAG0005\): skipped by the resolution; untouched/);
    // Each step ran once: the scan and the preflight were not repeated by the resume.
    expect(gear.sent.filter((s) => s.kind === 'cluster.scan-blockers')).toHaveLength(1);
    expect(gear.sent.filter((s) => s.kind === 'host.preflight')).toHaveLength(TAGS.length);
  });

  it('`blockers skip` from chat: a host with a critical blocker is left out, the job never pauses', async () => {
    await seedInventory(ts.store, { usbVmOn: ['TAG0003'] });
    const job = await startJob({ interactive: false, blockerPolicy: 'skip_host' });
    const done = await outcome(job);
    expect(done.status, done.error).toBe('completed');
    expect(done.pausedReason).toBeUndefined();
    expect(gear.sent.filter((s) => s.kind === 'firmware.stage' && s.target.id === 'TAG0003')).toEqual([]);
    expect(gear.hosts.get('TAG0003')!.bios).toBe('1.0.0');
    expect(gear.hosts.get('TAG0001')!.bios).toBe('2.0.0');
  });

  it('`blockers fail` from chat: the job fails at the scan and names the host, touching none', async () => {
    await seedInventory(ts.store, { usbVmOn: ['TAG0003'] });
    const job = await startJob({ interactive: false, blockerPolicy: 'fail' });
    const done = await outcome(job);
    expect(done.status).toBe('failed');
    expect(`${done.error ?? ''}${done.summary ?? ''}`).toMatch(/TAG0003/);
    expect(gear.sent.filter((s) => s.kind === 'firmware.stage')).toEqual([]);
  });

  it('a host that never comes back stops the rollout, HA is restored, the report names host and state', async () => {
    await seedInventory(ts.store);
    gear.hosts.get('TAG0001')!.rebootHangs = true;
    const job = await startJob();
    const done = await outcome(job);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/TAG0001.*FAILED.*did not come back.*iDRAC unreachable/s);
    expect(gear.ha.admissionControlEnabled).toBe(true);
    // Batch 1 (TAG0001, TAG0002) ran; nothing after it entered maintenance.
    const entered = gear.sent.filter((s) => s.kind === 'host.enter-maintenance').map((s) => s.params.hostId);
    expect(entered.sort()).toEqual(['TAG0001', 'TAG0002']);
    expect(done.error).toMatch(/TAG0006\): not started/);
    // What failed, where the host is now and what to do next, in the report; the message is one line.
    const report = await reportOf(job);
    expect(report.outcome).toBe('failed');
    expect(report.summary).toMatch(
      /^esx1\.lab \(in maintenance mode\) failed; 1 host updated, 4 not started, \d+ s, HA restored$/,
    );
    const bad = hostRow(report, 'TAG0001');
    expect(bad).toMatchObject({ status: 'failed', packages: 1, applied: [] });
    expect(bad?.where).toMatch(/in maintenance mode/);
    expect(bad?.next).toMatch(/take it out of maintenance mode.*`update host TAG0001`/);
    expect(hostRow(report, 'TAG0006')).toMatchObject({ status: 'not_started', applied: [] });
    expect(report.next.join(' ')).toContain('`update cluster lab-b` again to update the 4 hosts left');
    const told = notes.filter((n) => n.kind.startsWith('job_'));
    expect(told).toEqual([{ kind: 'job_failed', jobId: job.id, error: report.summary }]);
  });

  it('a host whose firmware does not match after the reboot stays in maintenance mode; the rollout stops', async () => {
    await seedInventory(ts.store);
    gear.hosts.get('TAG0002')!.stagedIgnored = true;
    const done = await outcome(await startJob());
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(
      /TAG0002\): FAILED: firmware verification failed \(159: expected 2\.0\.0, found 1\.0\.0\); left in maintenance mode/,
    );
    expect(gear.hosts.get('TAG0002')!.inMaintenance).toBe(true);
    // The reboot was asked to verify exactly what preflight expected.
    const apply = gear.sent.find((x) => x.kind === 'host.apply-and-reboot' && hostOf(x) === 'TAG0002');
    expect(apply?.params.expected).toEqual([
      expect.objectContaining({ componentId: '159', version: '2.0.0' }),
    ]);
    expect(gear.sent.filter((x) => x.kind === 'host.exit-maintenance').map(hostOf)).not.toContain('TAG0002');
    expect(gear.ha.admissionControlEnabled).toBe(true);
    // HA is back but the cluster is a host short: people are told once.
    const unsafe = notes.filter((n) => n.kind === 'cluster_unsafe');
    expect(unsafe).toHaveLength(1);
    expect(JSON.stringify(unsafe[0])).toMatch(/1 host\(s\) left in maintenance mode: esx2\.lab/);
  });

  it('graceful cancel during batch 2 finishes the hosts in flight and touches no other', async () => {
    await seedInventory(ts.store);
    const job = await startJob();
    // Once both hosts of the second pair are in flight. Slots free one by one, so the first of the pair to enter
    // waits for the other: were it to finish first, its freed slot would start TAG0005 before the cancel.
    const entered = new Set<string>();
    gear.onCommand = async (s) => {
      if (s.kind !== 'host.enter-maintenance') return;
      const id = String(s.params.hostId);
      if (id !== 'TAG0003' && id !== 'TAG0004') return;
      entered.add(id);
      await waitFor(async () => entered.has('TAG0003') && entered.has('TAG0004'));
      await ts.store.updateJob(job.id, { cancelRequested: 'graceful' });
    };
    const done = await outcome(job);
    expect(done.status).toBe('cancelled');
    expect(gear.hosts.get('TAG0003')!.bios).toBe('2.0.0');
    expect(gear.hosts.get('TAG0004')!.bios).toBe('2.0.0');
    expect(gear.hosts.get('TAG0005')!.bios).toBe('1.0.0');
    expect(gear.hosts.get('TAG0005')!.staged).toBeUndefined();
    expect(gear.ha.admissionControlEnabled).toBe(true);
    // Told as cancelled, not as a failure; hosts not started are untouched with nothing applied.
    expect(notes.map((n) => n.kind)).toContain('job_cancelled');
    expect(notes.map((n) => n.kind)).not.toContain('job_failed');
    const report = await reportOf(job);
    expect(report).toMatchObject({ outcome: 'cancelled', cancelMode: 'graceful' });
    expect(report.summary).toMatch(/^4 hosts updated, 2 not started, \d+ s, HA restored$/);
    expect(hostRow(report, 'TAG0005')).toMatchObject({ status: 'not_started', packages: 1, applied: [] });
    expect(hostRow(report, 'TAG0005')?.detail).toBe(
      'not started (graceful cancel requested); untouched, nothing applied',
    );
  });

  it('graceful cancel: a host whose window never started but whose firmware without reboot was applied is partly updated, named with the versions it went to', async () => {
    testCatalog = withIdrac;
    await seedInventory(ts.store);
    const job = await startJob();
    gear.onCommand = async (s) => {
      // Cancel once TAG0005 (a later wave) has had its in-service update, while batch 2 starts. Both hosts of
      // batch 2 wait for it: were one to finish first, its freed slot would start TAG0005 before the cancel.
      if (s.kind === 'host.enter-maintenance' && ['TAG0003', 'TAG0004'].includes(String(s.params.hostId))) {
        await waitFor(async () => {
          const note = await ts.store.getJobItem<{ status: string }>(job.id, 'apply-now', 'TAG0005');
          return note?.status === 'applied';
        });
        await ts.store.updateJob(job.id, { cancelRequested: 'graceful' });
      }
    };
    const done = await outcome(job);
    expect(done.status, done.error).toBe('cancelled');
    expect(gear.hosts.get('TAG0005')).toMatchObject({ bios: '1.0.0', idrac: '7.0.0' });
    const row = hostRow(await reportOf(job), 'TAG0005');
    expect(row).toMatchObject({
      status: 'partial',
      packages: 1,
      applied: ['Integrated Dell Remote Access Controller → 7.0.0'],
    });
    expect(row?.detail).not.toMatch(/untouched/);
    expect(row?.detail).toMatch(
      /the 1 that need a reboot were not applied: its window did not start \(graceful cancel requested\)/,
    );
    expect(done.summary).not.toMatch(/TAG0005\): not started.*untouched/);
    expect(notes.map((n) => n.kind)).toContain('job_cancelled');
  }, 60_000);

  const immediateAt = (host: string) =>
    gear.sent.find(
      (x) => x.kind === 'firmware.stage' && x.params.applyTime === 'Immediate' && hostOf(x) === host,
    )?.at ?? Number.NaN;

  it('applies firmware that needs no reboot while each host serves VMs: never in its window, later waves before their turn', async () => {
    testCatalog = withIdrac;
    await seedInventory(ts.store);
    const done = await outcome(await startJob());
    expect(done.status, done.error).toBe('completed');
    for (const h of gear.hosts.values())
      expect([h.hostId, h.bios, h.idrac]).toEqual([h.hostId, '2.0.0', '7.0.0']);
    // Staged OnReset: the BIOS only.
    for (const x of gear.sent.filter((y) => y.kind === 'firmware.stage' && y.params.applyTime === 'OnReset'))
      expect((x.params.packages as { name: string }[]).map((p) => p.name)).toEqual(['BIOS']);
    for (const tag of TAGS) {
      const now = immediateAt(tag);
      const [enter, exit] = [at('host.enter-maintenance', tag), at('host.exit-maintenance', tag)];
      // Never in its window (the safety rule: the host claim keeps them apart). The first wave (TAG0001,
      // TAG0002) after its window; the last wave before its own. Wave 2's turn comes within milliseconds with
      // scripted gear, so its in-service update may land either side of its window, never inside.
      expect(
        now < enter || now > exit,
        `${tag}: ${now - enter} ms after enter, ${now - exit} after exit`,
      ).toBe(true);
      if (['TAG0001', 'TAG0002'].includes(tag)) expect(now, tag).toBeGreaterThan(exit);
      if (['TAG0005', 'TAG0006'].includes(tag)) expect(now, tag).toBeLessThan(enter);
    }
    expect(done.summary).toMatch(
      /TAG0004\): updated .*; 1 package\(s\) without reboot applied in service and verified/,
    );
    // Named with the version each went to.
    expect(done.summary).toMatch(
      /TAG0004\): .*verified.*applied: .*Integrated Dell Remote Access Controller → 7\.0\.0/,
    );
  }, 60_000);

  it('a failed update without reboot on a later host: that host never leaves service, no new host starts', async () => {
    testCatalog = withIdrac;
    await seedInventory(ts.store);
    gear.hosts.get('TAG0005')!.idracUpdateFails = true;
    const done = await outcome(await startJob());
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/TAG0005\): .*FAILED in service: .*JID_1 Failed/);
    const entered = gear.sent.filter((s) => s.kind === 'host.enter-maintenance').map((s) => s.params.hostId);
    expect(entered.sort()).toEqual(['TAG0001', 'TAG0002']);
    expect(gear.hosts.get('TAG0005')!.staged).toBeUndefined();
    expect(gear.ha.admissionControlEnabled).toBe(true);
  }, 60_000);

  it('a host and its in-service firmware never overlap: each waits while the other holds the host', async () => {
    const jobOps = createJobOpsHandler({ store: ts.store, notifier: { notify: async () => {} } });
    const job = await claimedJob();
    const pkg = (name: string, rebootRequired: boolean) => ({
      componentId: name,
      name,
      version: '2',
      url: `https://127.0.0.1:9/repo/${name}.exe`,
      rebootRequired,
    });
    // The state carries host refs; each host's firmware is its 'plan' item, which the ops read.
    const host = (hostId: string, wave: number) => ({
      hostId,
      reboot: true,
      hasImmediate: true,
      wave,
      waveSize: 2,
    });
    for (const tag of ['TAG0001', 'TAG0003', 'TAG0004']) {
      await ts.store.putJobItem(job.id, 'host', tag, { hostId: tag, phase: 'pending' });
      await ts.store.putJobItem(job.id, 'plan', tag, {
        packages: [pkg('BIOS', true)],
        expected: [],
        immediate: [pkg('iDRAC', false)],
        immediateExpected: [],
      });
    }
    const call = async (op: string, h: ReturnType<typeof host>) =>
      (await jobOps({ op, jobId: job.id, state: { jobId: job.id, host: h, fw: { firmware: [] } } })) as {
        go: boolean;
        wait: boolean;
      };
    // The first wave waits for its window to end, even with nothing holding the host yet.
    expect(await call('apply-now-begin', host('TAG0001', 0))).toMatchObject({ go: false, wait: true });
    // A later host goes at once and holds the host: its window waits until the update is done.
    expect(await call('apply-now-begin', host('TAG0003', 1))).toMatchObject({ go: true });
    expect(await call('host-begin', host('TAG0003', 1))).toMatchObject({ go: false, wait: true });
    await call('apply-now-done', host('TAG0003', 1));
    expect(await call('host-begin', host('TAG0003', 1))).toMatchObject({ go: true });
    // The other way round: a host in its window holds it; its in-service update waits.
    expect(await call('host-begin', host('TAG0004', 1))).toMatchObject({ go: true });
    expect(await call('apply-now-begin', host('TAG0004', 1))).toMatchObject({ go: false, wait: true });
    await call('host-done', host('TAG0004', 1));
    expect(await call('apply-now-begin', host('TAG0004', 1))).toMatchObject({ go: true });
  });
});
