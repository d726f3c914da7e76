import { InventoryPage } from '@rackops/core/inventory/sync-page.schema';
import { afterEach, describe, expect, it } from 'vitest';
import { labPackage } from './helpers/lab-packages';
import { RelayHarness } from './helpers/relay-harness';
import { smallLab } from './helpers/small-lab';

describe('OME inventory and graceful shutdown', () => {
  let h: RelayHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('reads every OME-managed server (paged) with its firmware as ingestion pages', async () => {
    h = await RelayHarness.start({
      labOpts: { services: { vcenter: false, ome: true, catalog: false, control: false } },
    });
    const ome = h.lab.endpoints.omes[0];
    expect(ome).toBeDefined();
    const env = h.envelope('inventory.ome', { type: 'ome', id: ome?.id ?? '' }, { pageSize: 5 });
    await h.send(env);
    const r = await h.waitForResult(env.id, 30_000);
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    const pages = h.messages
      .filter((m) => m.type === 'progress' && m.commandId === env.id && m.page)
      .map((m) => InventoryPage.parse((m as { page: unknown }).page));
    const servers = pages.flatMap((p) => p.groups.filter((g) => g.type === 'server').flatMap((g) => g.items));
    const firmwareGroups = pages.flatMap((p) => p.groups.filter((g) => g.type === 'firmware'));
    expect(servers.length).toBe(h.lab.world.hosts.size);
    expect(firmwareGroups.length).toBe(h.lab.world.hosts.size);
    expect(r.output?.counts).toMatchObject({ server: h.lab.world.hosts.size });
  });

  it('on stop, returns an in-flight command to the queue at once; the next agent resumes without rebooting again', async () => {
    h = await RelayHarness.start({
      lab: smallLab(1),
      // A reboot takes ~8 s at 1/60: the apply is surely in flight when we stop the agent.
      labOpts: { timeScale: 1 / 60, services: { vcenter: false, ome: false, catalog: true, control: false } },
      agent: (cfg) => ({ ...cfg, queues: { ...cfg.queues, visibilityTimeoutSeconds: 60 } }),
    });
    const lab = h.lab;
    let reboots = 0;
    lab.world.events.on('host-reboot-started', ({ hostId }) => {
      if (hostId === 'TEST001') reboots++;
    });
    const stage = await h.send(
      h.envelope('firmware.stage', { type: 'idrac', id: 'TEST001' }, { packages: [labPackage(lab, '159')] }),
    );
    expect((await h.waitForResult(stage.id)).ok).toBe(true);
    const apply = await h.send(
      h.envelope('host.apply-and-reboot', { type: 'idrac', id: 'TEST001' }, { hostId: 'TEST001' }),
    );
    await h.waitFor('the reboot', () => (reboots > 0 ? true : undefined));
    const stopped = Date.now();
    await h.stopAgent(100);
    expect(h.logs.join(''), h.logs.slice(-8).join('')).toContain('returning in-flight commands to the queue');
    expect(h.results(apply.id), JSON.stringify(h.results(apply.id))).toHaveLength(0);
    // Visibility 0 on stop: the next agent gets it at once, not after the 60 s visibility timeout.
    h.startAgent();
    await h
      .waitFor('the resume', () =>
        h?.logs.join('').includes('resuming a command the ledger says is in progress') ? true : undefined,
      )
      .catch((err: Error) => {
        throw new Error(`${err.message}\n${h?.logs.slice(-12).join('')}`);
      });
    expect(Date.now() - stopped).toBeLessThan(10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(reboots).toBe(1);
  });
});
