import { type Lab, startLab } from '@rackops/lab/index';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOpenJob } from '../src/redfish/job-state';
import type { RedfishClient } from '../src/redfish/redfish-client';
import { pinnedRedfishClient } from '../src/testing/pinned-redfish-client';
import { smallLab } from './helpers/small-lab';

const GENERATIONS = ['idrac9-3.x', 'idrac9-6.x', 'idrac9-7.x'] as const;

/** Issue 19, defects 7–9: one client against three iDRAC generations of the lab (not mocks). */
describe('one Redfish client, three iDRAC generations', () => {
  let lab: Lab;
  const clients = new Map<string, { rf: RedfishClient; close(): void }>();
  const tag = (g: (typeof GENERATIONS)[number]) => `TEST00${GENERATIONS.indexOf(g) + 1}`;
  const rf = (g: (typeof GENERATIONS)[number]) => clients.get(tag(g))!.rf;

  beforeAll(async () => {
    const cfg = smallLab(3);
    cfg.vcenters[0]!.clusters![0]!.hosts.forEach((h, i) => {
      h.idrac = GENERATIONS[i]!;
    });
    lab = await startLab(cfg, {
      timeScale: 1 / 6000,
      services: { vcenter: false, ome: false, catalog: false, control: false },
    });
    for (const e of lab.endpoints.idracs) clients.set(e.hostId, pinnedRedfishClient(e));
  });
  afterAll(async () => {
    for (const c of clients.values()) c.close();
    await lab?.stop();
  });

  it.each(GENERATIONS)('%s: finds its Dell OEM resources from the Manager links (defect 7)', async (g) => {
    expect((await rf(g).lcStatus()).LCStatus).toBe('Ready');
    const map = await rf(g).serviceMap();
    expect(map.fallbacks).toEqual([]);
    if (g === 'idrac9-3.x') {
      expect(map.jobs).toBe('/redfish/v1/Managers/iDRAC.Embedded.1/Jobs');
      expect(map.lcStatusAction).toMatch(
        /^\/redfish\/v1\/Dell\/Managers\/iDRAC\.Embedded\.1\/DellLCService\//,
      );
    } else {
      expect(map.jobs).toBe('/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/Jobs');
    }
    lab.faults.set(tag(g), { staleJobs: 2 });
    const open = (await rf(g).jobs()).filter(isOpenJob);
    expect(open).toHaveLength(2);
    for (const j of open) await rf(g).deleteJobQueue(j.Id);
    expect((await rf(g).jobs()).filter(isOpenJob)).toEqual([]);
    expect(
      (await rf(g)
        .job(open[0]!.Id)
        .catch((e: { code?: string }) => e.code)) ?? '',
    ).toBe('http_404');
  });

  it.each(GENERATIONS)('%s: reads firmware with $expand only where advertised (defect 8)', async (g) => {
    const fw = await rf(g).firmwareInventory();
    expect(fw.length).toBeGreaterThan(10);
    expect(fw.every((c) => c.Id.startsWith('Installed-'))).toBe(true);
    const map = await rf(g).serviceMap();
    expect(map.expand).toBe(g === 'idrac9-3.x' ? undefined : '*($levels=1)');
  });

  it('follows Members@odata.nextLink through a job queue longer than one page', async () => {
    const host = lab.world.host(tag('idrac9-7.x'));
    const before = host.jobs.size;
    for (let i = 0; i < 70; i++) {
      const id = `JID_9000000000${String(i).padStart(2, '0')}`;
      host.jobs.set(id, {
        id,
        name: 'Firmware Update: old',
        jobType: 'FirmwareUpdate',
        state: 'Completed',
        percent: 100,
        message: 'The specified job has completed successfully.',
        messageId: 'RED001',
        startTime: '2024-01-01T00:00:00',
      });
    }
    expect(await rf('idrac9-7.x').jobs()).toHaveLength(before + 70);
    expect(await rf('idrac9-3.x').jobs()).toHaveLength(lab.world.host(tag('idrac9-3.x')).jobs.size);
  });

  it('discovers again after a re-login: an iDRAC reset into newer firmware moves its OEM resources', async () => {
    const client = pinnedRedfishClient(lab.endpoints.idracs.find((e) => e.hostId === tag('idrac9-3.x'))!);
    try {
      expect((await client.rf.serviceMap()).jobs).toBe('/redfish/v1/Managers/iDRAC.Embedded.1/Jobs');
      const host = lab.world.host(tag('idrac9-3.x'));
      // The iDRAC applied 7.x firmware and reset: new layout, every session gone.
      host.idracPersonality = 'idrac9-7.x';
      host.sessions.clear();
      expect((await client.rf.lcStatus()).LCStatus).toBe('Ready');
      expect(await client.rf.jobs()).toBeInstanceOf(Array);
      expect((await client.rf.serviceMap()).jobs).toBe('/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/Jobs');
    } finally {
      lab.world.host(tag('idrac9-3.x')).idracPersonality = 'idrac9-3.x';
      client.close();
    }
  });

  it('a reboot job left Running at 100 % with "Reboot is complete." is not an open job (defect 9)', async () => {
    const g = 'idrac9-3.x';
    await rf(g).resetSystem('GracefulRestart');
    const host = lab.world.host(tag(g));
    const deadline = Date.now() + 10_000;
    const rebootJob = () => [...host.jobs.values()].find((j) => j.id.startsWith('RID_'));
    while (rebootJob()?.percent !== 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const seen = (await rf(g).jobs()).find((j) => j.Id.startsWith('RID_'));
    expect(seen).toMatchObject({ JobState: 'Running', PercentComplete: 100, Message: 'Reboot is complete.' });
    expect(isOpenJob(seen!)).toBe(false);
  });
});
