import { afterEach, describe, expect, it } from 'vitest';
import { labPackage, labPackages, updateJobs } from './helpers/lab-packages';
import { RelayHarness } from './helpers/relay-harness';
import { smallLab } from './helpers/small-lab';
import type { CommandContext } from '../src/commands/command-context';
import { waitForJobs } from '../src/commands/wait-jobs';

const BIOS = '159';
const jobsOf = (r: { output?: Record<string, unknown> } | undefined) =>
  (r?.output?.jobs ?? []) as { jobId: string; state: string }[];

describe('firmware commands converge: one effect per command', () => {
  let h: RelayHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('the same firmware.stage delivered twice uploads once and answers twice with the same result', async () => {
    h = await RelayHarness.start({ lab: smallLab(1) });
    const pkg = labPackage(h.lab, BIOS);
    const env = h.envelope('firmware.stage', { type: 'idrac', id: 'TEST001' }, { packages: [pkg] });
    await h.send(env);
    await h.send(env);
    await h.waitFor('two answers', () => (h!.results(env.id).length >= 2 ? true : undefined));
    const [first, second] = h.results(env.id);
    expect(first?.ok, JSON.stringify(first?.error)).toBe(true);
    expect(second).toEqual(first);
    expect(updateJobs(h.lab, 'TEST001')).toHaveLength(1);
    expect(jobsOf(first)[0]?.state).toBe('Scheduled');
  });

  it('a new stage command for a package already staged adopts the pending job instead of uploading again', async () => {
    h = await RelayHarness.start({ lab: smallLab(1) });
    const pkg = labPackage(h.lab, BIOS);
    const a = await h.send(
      h.envelope('firmware.stage', { type: 'idrac', id: 'TEST001' }, { packages: [pkg] }),
    );
    const ra = await h.waitForResult(a.id);
    const b = await h.send(
      h.envelope('firmware.stage', { type: 'idrac', id: 'TEST001' }, { packages: [pkg] }),
    );
    const rb = await h.waitForResult(b.id);
    expect(ra.ok && rb.ok).toBe(true);
    expect(rb.output?.alreadyDone).toEqual([BIOS]);
    expect(jobsOf(rb)[0]?.jobId).toBe(jobsOf(ra)[0]?.jobId);
    expect(updateJobs(h.lab, 'TEST001')).toHaveLength(1);
  });

  it('stages with multipart push, applies with one reboot, waits for vCenter, and verifies', async () => {
    h = await RelayHarness.start({ lab: smallLab(1) });
    const pkg = labPackage(h.lab, BIOS);
    let reboots = 0;
    h.lab.world.events.on('host-reboot-started', ({ hostId }) => {
      if (hostId === 'TEST001') reboots++;
    });
    const stage = await h.send(
      h.envelope(
        'firmware.stage',
        { type: 'idrac', id: 'TEST001' },
        { packages: [pkg], transfer: 'multipart' },
      ),
    );
    expect((await h.waitForResult(stage.id)).ok).toBe(true);
    const apply = await h.send(
      h.envelope(
        'host.apply-and-reboot',
        { type: 'idrac', id: 'TEST001' },
        { hostId: 'TEST001', vcenterId: 'vc-test', expected: [{ componentId: BIOS, version: pkg.version }] },
      ),
    );
    const r = await h.waitForResult(apply.id, 30_000);
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect(r.output).toMatchObject({
      connectionState: 'connected',
      jobs: [{ state: 'Completed' }],
      // Read back once the host is up, and streamed for ingestion.
      verify: { ok: true, mismatches: [] },
    });
    const page = h.messages.find((m) => m.type === 'progress' && m.commandId === apply.id && m.page);
    expect(page).toMatchObject({ page: { source: 'idrac', sourceId: 'TEST001' } });
    expect(reboots).toBe(1);
    const verify = await h.send(
      h.envelope(
        'firmware.verify',
        { type: 'idrac', id: 'TEST001' },
        { expected: [{ componentId: BIOS, version: pkg.version }] },
      ),
    );
    expect((await h.waitForResult(verify.id)).output).toEqual({ ok: true, mismatches: [] });
    // Nothing staged any more: a second apply-and-reboot does not reboot.
    const again = await h.send(
      h.envelope(
        'host.apply-and-reboot',
        { type: 'idrac', id: 'TEST001' },
        { hostId: 'TEST001', vcenterId: 'vc-test' },
      ),
    );
    expect((await h.waitForResult(again.id)).output).toMatchObject({
      jobs: [],
      connectionState: 'connected',
    });
    expect(reboots).toBe(1);
    // A version the host does not run is an answer (the workflow keeps such a host in maintenance), not an error.
    const wrong = await h.send(
      h.envelope(
        'host.apply-and-reboot',
        { type: 'idrac', id: 'TEST001' },
        { hostId: 'TEST001', vcenterId: 'vc-test', expected: [{ componentId: BIOS, version: '99.0.0' }] },
      ),
    );
    expect((await h.waitForResult(wrong.id)).output).toMatchObject({
      verify: { ok: false, mismatches: [{ componentId: BIOS, expected: '99.0.0', installed: pkg.version }] },
    });
  });
});

describe('an iDRAC updating its own firmware', () => {
  let h: RelayHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('is followed through its self-reset (sessions dropped): the job completes and the new version is verified after', async () => {
    // The iDRAC resets for ~0.3 s at this scale: long enough for several refused polls.
    h = await RelayHarness.start({ lab: smallLab(1), labOpts: { timeScale: 1 / 600 } });
    const lab = h.lab;
    const idracPkg = labPackages(lab).find((p) => p.componentId === '25227'); // Integrated Dell Remote Access Controller
    expect(idracPkg).toBeDefined();
    const pkg = idracPkg as NonNullable<typeof idracPkg>;
    let resets = 0;
    lab.world.events.on('idrac-reset-started', ({ hostId }) => {
      if (hostId === 'TEST001') resets++;
    });
    const stage = await h.send(
      h.envelope(
        'firmware.stage',
        { type: 'idrac', id: 'TEST001' },
        { packages: [pkg], applyTime: 'Immediate' },
      ),
    );
    const r = await h.waitForResult(stage.id, 30_000);
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect(jobsOf(r)[0]?.state).toBe('Completed');
    expect(resets).toBe(1);
    const verify = await h.send(
      h.envelope(
        'firmware.verify',
        { type: 'idrac', id: 'TEST001' },
        {
          expected: [{ componentId: pkg.componentId, version: pkg.version }],
        },
      ),
    );
    expect((await h.waitForResult(verify.id)).output).toEqual({ ok: true, mismatches: [] });
  });
});

describe('waiting for staged jobs', () => {
  let h: RelayHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('calls a package staged only once it is downloaded, however quick the first polls are', async () => {
    // 1/10: a new job waits 100 ms before it starts downloading (then 2 s): quick polls see it "Scheduled".
    h = await RelayHarness.start({
      lab: smallLab(1),
      labOpts: { timeScale: 1 / 10, services: { vcenter: false, ome: false, control: false } },
      agent: (cfg) => ({ ...cfg, pollIntervalMs: 200 }),
    });
    const env = await h.send(
      h.envelope('firmware.stage', { type: 'idrac', id: 'TEST001' }, { packages: [labPackage(h.lab, BIOS)] }),
    );
    const r = await h.waitForResult(env.id, 20_000);
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    const [job] = updateJobs(h.lab, 'TEST001');
    expect(job?.update?.downloaded).toBe(true);
    expect(job?.state).toBe('Scheduled');
  });

  it('settles many staged jobs together: three polls in all, not three per job', async () => {
    h = await RelayHarness.start({ lab: smallLab(1) });
    const rf = h.idrac('TEST001');
    const pkgs = labPackages(h.lab).filter((p) => p.rebootRequired && p.componentId !== '0');
    expect(pkgs.length).toBeGreaterThan(4);
    const ids: string[] = [];
    for (const p of pkgs) ids.push(await rf.simpleUpdate(p.url, 'OnReset'));
    // Downloaded and scheduled before the first poll: the waiter never sees a transfer, so only polls settle.
    await h.waitFor('every job staged', () =>
      updateJobs(h!.lab, 'TEST001').every((j) => j.update?.downloaded && j.state === 'Scheduled')
        ? true
        : undefined,
    );
    let sleeps = 0;
    const ctx = {
      progress: async () => {},
      sleep: async () => {
        sleeps++;
      },
    } as unknown as CommandContext;
    const jobs = await waitForJobs(rf, ids, ['awaiting-reboot'], ctx, {
      timeoutMs: 10_000,
      label: 'staging firmware',
      settle: (_j, polls) => polls >= 3,
    });
    expect(jobs.map((j) => j.JobState)).toEqual(ids.map(() => 'Scheduled'));
    expect(sleeps).toBe(2);
  });

  it('coalesces a fast-polling command to one progress message per gap, the latest winning', async () => {
    h = await RelayHarness.start({
      lab: smallLab(1),
      labOpts: { timeScale: 1 / 600, services: { ome: false } },
      agent: (cfg) => ({ ...cfg, pollIntervalMs: 5, progressSeconds: 30, progressMinGapMs: 250 }),
    });
    const pkgs = labPackages(h.lab).filter((p) => p.componentId !== '0');
    const started = Date.now();
    const env = await h.send(
      h.envelope('firmware.stage', { type: 'idrac', id: 'TEST001' }, { packages: pkgs }),
    );
    const r = await h.waitForResult(env.id, 60_000);
    const took = Date.now() - started;
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    const progress = h.messages.filter((m) => m.type === 'progress' && m.commandId === env.id);
    // The iDRAC's own reset alone keeps the handler polling every 5 ms for ~300 ms.
    expect(took).toBeGreaterThan(300);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(took / 250) + 1);
  });
});
