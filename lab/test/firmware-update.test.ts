import { afterEach, describe, expect, it } from 'vitest';
import { buildLabRepository } from '../src/catalog/lab-repository';
import { packageFileName } from '../src/world/firmware';
import { createClient, multipartBody, waitFor } from './helpers/https-client';
import { type LabFixture, startTestLab } from './helpers/lab-fixture';
import { smallLab } from './helpers/small-lab';

type Task = { TaskState: string; Oem: { Dell: { JobState: string } } };
type Members = { Members: Array<{ '@odata.id': string }> };

const BIOS_NEW = '1.13.2';
const IDRAC_NEW = '7.10.50.00';

describe('iDRAC firmware updates', () => {
  let f: LabFixture | undefined;
  afterEach(async () => {
    await f?.stop();
    f = undefined;
  });

  const biosFile = packageFileName('sw159', 'BIOS', BIOS_NEW);

  async function upload(
    hostId: string,
    file: string,
    applyTime: 'Immediate' | 'OnReset' | 'OnStartUpdateRequest',
  ) {
    const { body, contentType } = multipartBody(
      { '@Redfish.OperationApplyTime': applyTime },
      file,
      Buffer.from('MZ lab'),
    );
    const r = await f!.client(hostId).call('POST', '/redfish/v1/UpdateService/MultipartUpload', undefined, {
      raw: body,
      headers: { 'Content-Type': contentType },
    });
    expect(r.status, r.text).toBe(202);
    const location = r.headers.location as string;
    expect(location).toMatch(/^\/redfish\/v1\/TaskService\/Tasks\/JID_\d{12}$/);
    return location.split('/').pop()!;
  }

  async function inventoryIds(hostId: string): Promise<string[]> {
    const r = await f!.client(hostId).get('/redfish/v1/UpdateService/FirmwareInventory');
    return (r.json as Members).Members.map((m) => m['@odata.id'].split('/').pop()!);
  }

  it('SimpleUpdate OnReset downloads from the catalog, waits for a reboot, then applies during POST', async () => {
    f = await startTestLab(smallLab(1), { services: { catalog: true } });
    const c = f.client('TEST001');
    const repo = buildLabRepository(f.lab.world);
    const path = [...repo.packages.keys()].find((p) => p.endsWith(biosFile))!;
    const imageUri = f.lab.endpoints.catalogUrl!.replace('Catalog.xml', path);
    const r = await c.post('/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate', {
      ImageURI: imageUri,
      '@Redfish.OperationApplyTime': 'OnReset',
    });
    expect(r.status, r.text).toBe(202);
    const jobId = (r.headers.location as string).split('/').pop()!;
    // Downloaded, then parked as Scheduled until the host reboots.
    await waitFor(() => f!.jobStates(jobId).includes('Downloaded'), 5_000, 'download');
    await new Promise((res) => setTimeout(res, 100));
    const job = (await c.get(`/redfish/v1/Managers/iDRAC.Embedded.1/Jobs/${jobId}`)).json as {
      JobState: string;
    };
    expect(job.JobState).toBe('Scheduled');
    expect(await inventoryIds('TEST001')).toContain('Installed-159-1.8.2__BIOS.Setup.1-1');
    expect(f.lab.world.tallies.host('TEST001')).toEqual({ uploads: { sw159: 1 }, reboots: 0 });

    expect(
      (
        await c.post('/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset', {
          ResetType: 'ForceRestart',
        })
      ).status,
    ).toBe(204);
    await waitFor(
      async () => {
        const t = (await c.get(`/redfish/v1/TaskService/Tasks/${jobId}`)).json as Task;
        return t.TaskState === 'Completed';
      },
      5_000,
      'task completed',
    );
    expect(f.jobStates(jobId)).toEqual([
      'Scheduled',
      'Downloading',
      'Downloaded',
      'Scheduled',
      'Running',
      'Completed',
    ]);
    const ids = await inventoryIds('TEST001');
    expect(ids).toContain(`Installed-159-${BIOS_NEW}__BIOS.Setup.1-1`);
    expect(ids).toContain('Previous-159-1.8.2__BIOS.Setup.1-1');
    expect(ids).not.toContain('Installed-159-1.8.2__BIOS.Setup.1-1');
    await waitFor(() => f!.lab.world.host('TEST001').connectionState === 'connected', 5_000, 'reconnect');
    const sys = (await c.get('/redfish/v1/Systems/System.Embedded.1')).json as { BiosVersion: string };
    expect(sys.BiosVersion).toBe(BIOS_NEW);
  });

  it('SimpleUpdate fails the job when the image cannot be downloaded', async () => {
    f = await startTestLab(smallLab(1));
    const c = f.client('TEST001');
    const r = await c.post('/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate', {
      ImageURI: `https://127.0.0.1:9/catalog/${biosFile}`,
    });
    expect(r.status).toBe(202);
    const jobId = (r.headers.location as string).split('/').pop()!;
    await waitFor(() => f!.jobStates(jobId).includes('Failed'), 5_000, 'failure');
    const job = (await c.get(`/redfish/v1/Managers/iDRAC.Embedded.1/Jobs/${jobId}`)).json as {
      Message: string;
    };
    expect(job.Message).toMatch(/Unable to transfer/);
  });

  it('rejects packages it cannot identify or that do not apply to the system', async () => {
    f = await startTestLab(smallLab(1));
    const c = f.client('TEST001');
    const unknown = await c.post('/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate', {
      ImageURI: 'https://127.0.0.1:1/whatever.bin',
    });
    expect(unknown.status).toBe(400);
    const other = await c.post('/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate', {
      ImageURI: 'https://127.0.0.1:1/X_sw99999_1.0.0.EXE',
    });
    expect(other.status).toBe(400);
    expect(JSON.stringify(other.json)).toContain('not applicable');
    const badTime = await c.post('/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate', {
      ImageURI: `https://127.0.0.1:1/${biosFile}`,
      '@Redfish.OperationApplyTime': 'Tomorrow',
    });
    expect(badTime.status).toBe(400);
  });

  it('MultipartUpload Immediate for BIOS reboots the host itself; vCenter sees notResponding then connected', async () => {
    f = await startTestLab(smallLab(1));
    const conn: string[] = [];
    f.lab.world.events.on('host-connection', ({ connectionState }) => conn.push(connectionState));
    const jobId = await upload('TEST001', biosFile, 'Immediate');
    await waitFor(() => f!.jobStates(jobId).includes('Completed'), 5_000, 'completed');
    expect(f.jobStates(jobId)).toEqual([
      'Scheduled',
      'Downloading',
      'Downloaded',
      'RebootPending',
      'Running',
      'Completed',
    ]);
    await waitFor(() => conn.at(-1) === 'connected', 5_000, 'reconnect');
    expect(conn).toEqual(['notResponding', 'connected']);
    expect(await inventoryIds('TEST001')).toContain(`Installed-159-${BIOS_NEW}__BIOS.Setup.1-1`);
  });

  it('an Immediate job that becomes ready during a reboot already applying updates gets its own reboot', async () => {
    f = await startTestLab(smallLab(1));
    const reboots: string[] = [];
    f.lab.world.events.on('host-reboot-started', ({ reason }) => reboots.push(reason));
    const applying = new Promise<void>((resolve) => {
      const off = f!.lab.world.events.on('host-os-phase', ({ phase }) => {
        if (phase === 'applyingUpdates') {
          off();
          resolve();
        }
      });
    });
    const bios = await upload('TEST001', biosFile, 'Immediate');
    await applying;
    const nic = await upload('TEST001', packageFileName('sw108089', 'NIC', '22.91.5.10'), 'Immediate');
    await waitFor(() => f!.jobStates(nic).includes('Completed'), 5_000, 'NIC completed');
    expect(f.jobStates(bios).at(-1)).toBe('Completed');
    expect(reboots).toEqual([`apply ${bios}`, `apply ${nic}`]);
  });

  it('refuses a second job for a package that already has one pending', async () => {
    f = await startTestLab(smallLab(1));
    await upload('TEST001', biosFile, 'OnReset');
    const { body, contentType } = multipartBody(
      { '@Redfish.OperationApplyTime': 'OnReset' },
      biosFile,
      Buffer.from('MZ'),
    );
    const r = await f.client('TEST001').call('POST', '/redfish/v1/UpdateService/MultipartUpload', undefined, {
      raw: body,
      headers: { 'Content-Type': contentType },
    });
    expect(r.status).toBe(409);
  });

  it('stages several OnReset jobs and applies them all in one reboot', async () => {
    f = await startTestLab(smallLab(1));
    const nic = packageFileName('sw108089', 'NIC', '22.91.5.10');
    const a = await upload('TEST001', biosFile, 'OnReset');
    const b = await upload('TEST001', nic, 'OnReset');
    await waitFor(() =>
      [a, b].every((j) => f!.jobStates(j).at(-1) === 'Scheduled' && f!.jobStates(j).length > 1),
    );
    const c = f.client('TEST001');
    expect(
      (
        await c.post('/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset', {
          ResetType: 'GracefulRestart',
        })
      ).status,
    ).toBe(204);
    await waitFor(() => [a, b].every((j) => f!.jobStates(j).at(-1) === 'Completed'), 5_000, 'both completed');
    const ids = await inventoryIds('TEST001');
    // Other resources that report the NIC's firmware follow it.
    const adapter = (await c.get('/redfish/v1/Chassis/System.Embedded.1/NetworkAdapters/NIC.Integrated.1'))
      .text;
    expect(adapter).toContain('22.91.5.10');
    expect(adapter).not.toContain('21.80.16.95');
    // One NIC package updates both ports of the integrated NIC.
    expect(ids).toContain('Installed-108089-22.91.5.10__NIC.Integrated.1-1-1');
    expect(ids).toContain('Installed-108089-22.91.5.10__NIC.Integrated.1-2-1');
    expect(ids).toContain('Previous-108089-21.80.16.95__NIC.Integrated.1-1-1');
    const tasks = (await c.get('/redfish/v1/TaskService/Tasks')).json as Members;
    expect(tasks.Members.map((m) => m['@odata.id'])).toEqual(
      expect.arrayContaining([`/redfish/v1/TaskService/Tasks/${a}`, `/redfish/v1/TaskService/Tasks/${b}`]),
    );
  });

  it('an iDRAC update applies without a host reboot, resets the iDRAC and drops its sessions', async () => {
    // 1/600: the iDRAC stays down ~300 ms, long enough to observe deterministically.
    f = await startTestLab(smallLab(1), { timeScale: 1 / 600 });
    const e = f.lab.endpoints.idracs[0]!;
    const c = f.client('TEST001');
    const s = await c.post(
      '/redfish/v1/SessionService/Sessions',
      { UserName: 'root', Password: 'calvin' },
      { auth: null },
    );
    const token = s.headers['x-auth-token'] as string;
    const resets: string[] = [];
    f.lab.world.events.on('idrac-reset-started', ({ hostId }) => resets.push(hostId));
    const jobId = await upload('TEST001', packageFileName('sw25227', 'iDRAC', IDRAC_NEW), 'OnReset');
    await waitFor(() => resets.length > 0, 5_000, 'iDRAC reset');
    expect(f.jobStates(jobId)).toEqual(['Scheduled', 'Downloading', 'Downloaded', 'Running', 'Completed']);
    expect(f.lab.world.host('TEST001').osPhase).toBe('running');
    // While it resets the iDRAC does not answer.
    const fresh = createClient(e.url, { ca: f.lab.tls.ca, auth: { username: 'root', password: 'calvin' } });
    await expect(fresh.get('/redfish/v1')).rejects.toThrow();
    await waitFor(() => f!.lab.world.host('TEST001').idrac === 'up', 5_000, 'iDRAC back');
    expect((await fresh.get('/redfish/v1/Systems/System.Embedded.1', { auth: { token } })).status).toBe(401);
    const mgr = (await fresh.get('/redfish/v1/Managers/iDRAC.Embedded.1')).json as {
      FirmwareVersion: string;
    };
    expect(mgr.FirmwareVersion).toBe(IDRAC_NEW);
    const ids = await inventoryIds('TEST001');
    expect(ids).toContain(`Installed-25227-${IDRAC_NEW}__iDRAC.Embedded.1-1`);
    // The Lifecycle Controller moves with the iDRAC.
    expect(ids).toContain(`Installed-28897-${IDRAC_NEW}__USC.Embedded.1:LC.Embedded.1`);
    fresh.close();
  });

  it('OnStartUpdateRequest parks the jobs until UpdateService.StartUpdate, then applies them as Immediate', async () => {
    f = await startTestLab(smallLab(1));
    const c = f.client('TEST001');
    const jobId = await upload('TEST001', biosFile, 'OnStartUpdateRequest');
    await waitFor(() => f!.jobStates(jobId).includes('Downloaded'), 5_000, 'download');
    await new Promise((r) => setTimeout(r, 150));
    // A reboot does not apply it: it waits for StartUpdate.
    expect(
      (
        await c.post('/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset', {
          ResetType: 'ForceRestart',
        })
      ).status,
    ).toBe(204);
    await waitFor(() => f!.lab.world.host('TEST001').connectionState === 'connected', 5_000, 'reboot done');
    expect(f.jobStates(jobId).at(-1)).toBe('Scheduled');
    expect((await c.post('/redfish/v1/UpdateService/Actions/UpdateService.StartUpdate', {})).status).toBe(
      204,
    );
    await waitFor(() => f!.jobStates(jobId).includes('Completed'), 5_000, 'completed');
    expect(f.jobStates(jobId)).toEqual([
      'Scheduled',
      'Downloading',
      'Downloaded',
      'Scheduled',
      'RebootPending',
      'Running',
      'Completed',
    ]);
  });

  it('expands collection members with $expand, as iDRAC9 does', async () => {
    f = await startTestLab(smallLab(1));
    const r = await f
      .client('TEST001')
      .get('/redfish/v1/UpdateService/FirmwareInventory?$expand=*($levels=1)');
    const members = (r.json as { Members: Array<{ Id?: string; Version?: string }> }).Members;
    expect(members.length).toBeGreaterThan(20);
    expect(members.find((m) => m.Id === 'Installed-159-1.8.2__BIOS.Setup.1-1')?.Version).toBe('1.8.2');
  });

  it('shows jobs in all four collections with consistent states', async () => {
    f = await startTestLab(smallLab(1));
    const c = f.client('TEST001');
    const jobId = await upload('TEST001', biosFile, 'OnReset');
    for (const base of [
      '/redfish/v1/Managers/iDRAC.Embedded.1/Jobs',
      '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/Jobs',
      '/redfish/v1/JobService/Jobs',
      '/redfish/v1/TaskService/Tasks',
    ]) {
      const list = (await c.get(base)).json as Members;
      expect(list.Members.map((m) => m['@odata.id'])).toContain(`${base}/${jobId}`);
      expect((await c.get(`${base}/${jobId}`)).status).toBe(200);
    }
  });
});
