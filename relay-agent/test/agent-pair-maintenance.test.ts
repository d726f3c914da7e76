import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTlsAgent } from '../src/http/tls-agent';
import { HttpClient } from '../src/http/http-client';
import { VsphereClient } from '../src/vsphere/vsphere-client';
import { RelayHarness } from './helpers/relay-harness';

describe('two agents on one queue: the survivor takes over an enter-maintenance', () => {
  let h: RelayHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('waits on the maintenance task the dead agent started instead of starting a second one', {
    timeout: 90_000,
  }, async () => {
    h = await RelayHarness.start({
      // 1/10: each VM's vMotion takes 2 s, so the first task still runs when the command is taken over.
      labOpts: { timeScale: 1 / 10, services: { ome: false, control: false } },
      inProcess: false,
      agent: (cfg) => ({ ...cfg, queues: { ...cfg.queues, visibilityTimeoutSeconds: 5 } }),
    });
    const lab = h.lab;
    const hostId = 'LABB008';
    const vms = lab.world.vmsOnHost(hostId).filter((v) => v.powerState === 'poweredOn').length;
    expect(vms).toBeGreaterThan(0);
    // The first agent: it received the command, started EnterMaintenanceMode_Task, and died (nothing deleted).
    const env = h.envelope(
      'host.enter-maintenance',
      { type: 'vcenter', id: 'vc-lab' },
      { hostId, vcenterId: 'vc-lab' },
    );
    await h.send(env);
    const taken = await h.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: h.commandsUrl, VisibilityTimeout: 1, WaitTimeSeconds: 5 }),
    );
    expect(taken.Messages).toHaveLength(1);
    const endpoint = lab.endpoints.vcenters.find((v) => v.id === 'vc-lab')!;
    const first = new VsphereClient(
      new HttpClient({
        baseUrl: endpoint.url,
        device: 'vcenter vc-lab',
        agent: createTlsAgent('vcenter vc-lab', { mode: 'pin', sha256: endpoint.certSha256 }),
        timeoutMs: 10_000,
      }),
      { username: endpoint.username, password: endpoint.password },
    );
    const hostRef = { type: 'HostSystem', value: lab.world.host(hostId).moref };
    const task = await first.enterMaintenanceMode(hostRef, 0, false);
    expect(await first.activeTasks(hostRef, 'HostSystem.enterMaintenanceMode')).toEqual([task]);
    await first.logout();

    // The second agent, with its own empty ledger, receives the command (delivered before: taken over).
    h.startAgent();
    const result = await h.waitForResult(env.id, 60_000);
    expect(result.ok, JSON.stringify(result.error)).toBe(true);
    expect(result.output).toMatchObject({ inMaintenanceMode: true });
    expect(lab.world.host(hostId).inMaintenanceMode).toBe(true);
    expect(h.logs.join('\n')).toContain('waiting on the maintenance task already running');
  });
});
