import { afterEach, describe, expect, it } from 'vitest';
import { AgentProcess } from './helpers/agent-process';
import { labPackage, updateJobs } from './helpers/lab-packages';
import { RelayHarness } from './helpers/relay-harness';
import { smallLab } from './helpers/small-lab';

describe('the agent process survives SIGKILL in the middle of an apply-and-reboot', () => {
  let h: RelayHarness | undefined;
  const procs: AgentProcess[] = [];
  afterEach(async () => {
    for (const p of procs) {
      p.kill('SIGKILL');
      await p.exited;
    }
    procs.length = 0;
    await h?.stop();
    h = undefined;
  });

  it('restarted, it finishes the command with no second upload or reboot and reports one result', {
    timeout: 90_000,
  }, async () => {
    // A reboot takes ~1.6 s at this scale: room to kill the agent while the host is down.
    h = await RelayHarness.start({
      lab: smallLab(1),
      labOpts: { timeScale: 1 / 300 },
      inProcess: false,
      agent: (cfg) => ({
        ...cfg,
        queues: { ...cfg.queues, visibilityTimeoutSeconds: 5 },
        pollIntervalMs: 50,
        logLevel: 'info',
      }),
    });
    const lab = h.lab;
    let reboots = 0;
    lab.world.events.on('host-reboot-started', ({ hostId }) => {
      if (hostId === 'TEST001') reboots++;
    });
    const configPath = h.writeConfig();
    const first = new AgentProcess(configPath);
    procs.push(first);

    const pkg = labPackage(lab, '159');
    const stage = await h.send(
      h.envelope('firmware.stage', { type: 'idrac', id: 'TEST001' }, { packages: [pkg] }),
    );
    const staged = await h.waitForResult(stage.id, 20_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${first.output.join('')}`);
    });
    expect(staged.ok).toBe(true);

    const apply = await h.send(
      h.envelope(
        'host.apply-and-reboot',
        { type: 'idrac', id: 'TEST001' },
        { hostId: 'TEST001', vcenterId: 'vc-test' },
      ),
    );
    await h
      .waitFor('the reboot to start', () => (reboots > 0 ? true : undefined), 30_000)
      .catch((err: Error) => {
        throw new Error(`${err.message}\n${first.output.join('')}`);
      });
    first.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    expect(h.results(apply.id)).toHaveLength(0);

    const second = new AgentProcess(configPath);
    procs.push(second);
    const result = await h.waitForResult(apply.id, 30_000);
    expect(result.ok, JSON.stringify(result.error)).toBe(true);
    expect(result.output).toMatchObject({ connectionState: 'connected', jobs: [{ state: 'Completed' }] });
    expect(second.output.join('')).toContain('resuming a command the ledger says is in progress');

    // Graceful stop of the second agent, then check nothing was repeated.
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(h.results(apply.id)).toHaveLength(1);
    expect(reboots).toBe(1);
    expect(updateJobs(lab, 'TEST001')).toHaveLength(1);
    expect(lab.world.host('TEST001').firmware.get('BIOS.Setup.1-1')?.version).toBe(pkg.version);
  });
});
