import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentProcess } from './helpers/agent-process';
import { labPackage } from './helpers/lab-packages';
import { RelayHarness } from './helpers/relay-harness';
import { smallLab } from './helpers/small-lab';

describe('two agents on one queue: the survivor takes over an apply-and-reboot', () => {
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

  it('the first one SIGKILLed after the reboot was sent: the second finishes without a second upload or reboot', {
    timeout: 120_000,
  }, async () => {
    // A reboot takes ~13 s at 1/30 (shutdown, POST, the update, ESXi): the 5 s visibility timeout hands the
    // command to the other agent while the host is still down, with its own, empty ledger.
    h = await RelayHarness.start({
      lab: smallLab(1),
      labOpts: { timeScale: 1 / 30 },
      inProcess: false,
      agent: (cfg) => ({
        ...cfg,
        queues: { ...cfg.queues, visibilityTimeoutSeconds: 5 },
        pollIntervalMs: 50,
        logLevel: 'info',
      }),
    });
    const lab = h.lab;
    const agents = ['a', 'b'].map(
      (n) =>
        new AgentProcess(
          h!.writeConfig(
            { agentId: `relay-${n}`, ledgerPath: join(h!.dir, `ledger-${n}.sqlite`) },
            `config-${n}.json`,
          ),
        ),
    );
    procs.push(...agents);
    const logs = () => agents.map((a) => a.output.join('')).join('\n');

    const pkg = labPackage(lab, '159');
    const stage = await h.send(
      h.envelope('firmware.stage', { type: 'idrac', id: 'TEST001' }, { packages: [pkg] }),
    );
    expect((await h.waitForResult(stage.id, 30_000)).ok, logs()).toBe(true);

    const apply = await h.send(
      h.envelope(
        'host.apply-and-reboot',
        { type: 'idrac', id: 'TEST001' },
        { hostId: 'TEST001', vcenterId: 'vc-test' },
      ),
    );
    await h.waitFor(
      'the reboot to be requested',
      () => lab.world.tallies.host('TEST001').reboots || undefined,
      30_000,
    );
    // The agent that received it logged its start with the command id.
    const holder = agents.findIndex((a) => a.output.join('').includes(apply.id));
    expect(holder, logs()).toBeGreaterThanOrEqual(0);
    const [killed, survivor] = holder === 0 ? [agents[0]!, agents[1]!] : [agents[1]!, agents[0]!];
    killed.kill('SIGKILL');
    expect(await killed.exited).toBeNull();
    expect(h.results(apply.id)).toHaveLength(0);

    const result = await h.waitForResult(apply.id, 60_000);
    expect(result.ok, `${JSON.stringify(result.error)}\n${logs()}`).toBe(true);
    expect(result.output).toMatchObject({ connectionState: 'connected' });

    survivor.kill('SIGTERM');
    expect(await survivor.exited).toBe(0);
    expect(h.results(apply.id)).toHaveLength(1);
    expect(lab.world.tallies.host('TEST001')).toEqual({ uploads: { sw159: 1 }, reboots: 1 });
    expect(lab.world.host('TEST001').firmware.get('BIOS.Setup.1-1')?.version).toBe(pkg.version);
    expect(survivor.output.join('')).toContain('taking over a command another agent received');
  });
});
