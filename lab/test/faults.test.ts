import { afterEach, describe, expect, it } from 'vitest';
import { packageFileName } from '../src/world/firmware';
import { createClient, multipartBody, waitFor } from './helpers/https-client';
import { type LabFixture, startTestLab } from './helpers/lab-fixture';
import { smallLab } from './helpers/small-lab';

const RESET = '/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset';
const LC_STATUS =
  '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/DellLCService/Actions/DellLCService.GetRemoteServicesAPIStatus';
const DELETE_QUEUE =
  '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/DellJobService/Actions/DellJobService.DeleteJobQueue';
const BIOS = packageFileName('sw159', 'BIOS', '1.13.2');

describe('fault injection', () => {
  let f: LabFixture | undefined;
  afterEach(async () => {
    await f?.stop();
    f = undefined;
  });

  async function upload(hostId: string, applyTime: 'Immediate' | 'OnReset' = 'OnReset') {
    const { body, contentType } = multipartBody(
      { '@Redfish.OperationApplyTime': applyTime },
      BIOS,
      Buffer.from('MZ'),
    );
    return f!.client(hostId).call('POST', '/redfish/v1/UpdateService/MultipartUpload', undefined, {
      raw: body,
      headers: { 'Content-Type': contentType },
    });
  }

  it('rebootHangs: the host never leaves POST; the iDRAC keeps answering', async () => {
    f = await startTestLab();
    f.lab.faults.set('TEST001', { rebootHangs: true });
    const up: string[] = [];
    f.lab.world.events.on('host-up', ({ hostId }) => up.push(hostId));
    const c = f.client('TEST001');
    expect((await c.post(RESET, { ResetType: 'ForceRestart' })).status).toBe(204);
    await waitFor(() => f!.lab.world.host('TEST001').osPhase === 'hung', 5_000, 'hung');
    // Long enough for three normal reboots at this time scale.
    await new Promise((r) => setTimeout(r, 250));
    expect(up).toEqual([]);
    expect(f.lab.world.host('TEST001').connectionState).toBe('notResponding');
    const s = (await c.post(LC_STATUS, {})).json as { ServerStatus: string };
    expect(s.ServerStatus).toBe('InPOST');
    // Clearing the fault and power-cycling recovers the host.
    f.lab.faults.clear('TEST001');
    await c.post(RESET, { ResetType: 'PowerCycle' });
    await waitFor(() => f!.lab.world.host('TEST001').connectionState === 'connected', 5_000, 'recovered');
  });

  it('jobOutcome failed: the staged job fails and the firmware is unchanged', async () => {
    f = await startTestLab(smallLab(1, { faults: { TEST001: { jobOutcome: 'failed' } } }));
    const r = await upload('TEST001', 'Immediate');
    const jobId = (r.headers.location as string).split('/').pop()!;
    await waitFor(() => f!.jobStates(jobId).includes('Failed'), 5_000, 'failed');
    const job = (await f.client('TEST001').get(`/redfish/v1/TaskService/Tasks/${jobId}`)).json as {
      TaskState: string;
      TaskStatus: string;
    };
    expect(job).toMatchObject({ TaskState: 'Exception', TaskStatus: 'Critical' });
    expect(f.lab.world.host('TEST001').firmware.get('BIOS.Setup.1-1')!.version).toBe('1.8.2');
  });

  it('jobOutcome completedWithErrors: CompletedWithErrors and only part of a multi-device package applied', async () => {
    f = await startTestLab(smallLab(1));
    f.lab.faults.set('TEST001', { jobOutcome: 'completedWithErrors' });
    const { body, contentType } = multipartBody(
      { '@Redfish.OperationApplyTime': 'Immediate' },
      packageFileName('sw108089', 'NIC', '22.91.5.10'),
      Buffer.from('MZ'),
    );
    const r = await f.client('TEST001').call('POST', '/redfish/v1/UpdateService/MultipartUpload', undefined, {
      raw: body,
      headers: { 'Content-Type': contentType },
    });
    const jobId = (r.headers.location as string).split('/').pop()!;
    await waitFor(() => f!.jobStates(jobId).includes('CompletedWithErrors'), 5_000, 'completed with errors');
    const fw = f.lab.world.host('TEST001').firmware;
    expect(fw.get('NIC.Integrated.1-1-1')!.version).toBe('22.91.5.10');
    expect(fw.get('NIC.Integrated.1-2-1')!.version).toBe('21.80.16.95');
  });

  it('lcNotReady: LC status NotReady and updates refused with 503 until cleared', async () => {
    f = await startTestLab();
    f.lab.faults.set('TEST002', { lcNotReady: true });
    const c = f.client('TEST002');
    expect((await c.post(LC_STATUS, {})).json).toMatchObject({ LCStatus: 'NotReady', Status: 'NotReady' });
    expect((await upload('TEST002')).status).toBe(503);
    f.lab.faults.set('TEST002', { lcNotReady: false });
    expect((await c.post(LC_STATUS, {})).json).toMatchObject({ LCStatus: 'Ready', Status: 'Ready' });
    expect((await upload('TEST002')).status).toBe(202);
  });

  it('staleJobs: old jobs sit in the queue and block updates until DeleteJobQueue clears them', async () => {
    f = await startTestLab(smallLab(1, { faults: { TEST001: { staleJobs: 3 } } }));
    const c = f.client('TEST001');
    const jobs = (await c.get('/redfish/v1/Managers/iDRAC.Embedded.1/Jobs')).json as { Members: unknown[] };
    expect(jobs.Members).toHaveLength(4); // the captured completed job + 3 stale ones
    const refused = await upload('TEST001');
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toContain('SUP0108');
    expect((await c.post(DELETE_QUEUE, { JobID: 'JID_CLEARALL' })).status).toBe(200);
    expect(
      ((await c.get('/redfish/v1/Managers/iDRAC.Embedded.1/Jobs')).json as { Members: unknown[] }).Members,
    ).toEqual([]);
    expect((await upload('TEST001')).status).toBe(202);
  });

  it('drsCannotEvacuate is exposed per host for the vCenter simulator', async () => {
    f = await startTestLab();
    expect(f.lab.faults.get('TEST001').drsCannotEvacuate).toBe(false);
    f.lab.faults.set('TEST001', { drsCannotEvacuate: true });
    expect(f.lab.faults.get('TEST001').drsCannotEvacuate).toBe(true);
    expect(f.lab.faults.get('TEST002').drsCannotEvacuate).toBe(false);
    expect(() => f!.lab.faults.set('TEST001', { errorRate: 2 })).toThrow(/errorRate/);
  });

  it('slowMs delays every answer', async () => {
    f = await startTestLab();
    f.lab.faults.set('TEST001', { slowMs: 150 });
    const t = Date.now();
    expect((await f.client('TEST001').get('/redfish/v1')).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(150);
  });

  it('errorRate 1 answers 503; dropRate 1 drops the connection', async () => {
    f = await startTestLab();
    f.lab.faults.set('TEST001', { errorRate: 1 });
    const r = await f.client('TEST001').get('/redfish/v1/Systems/System.Embedded.1');
    expect(r.status).toBe(503);
    f.lab.faults.set('TEST002', { dropRate: 1 });
    const e = f.lab.endpoints.idracs.find((x) => x.hostId === 'TEST002')!;
    const c = createClient(e.url, { ca: f.lab.tls.ca, auth: { username: 'root', password: 'calvin' } });
    await expect(c.get('/redfish/v1')).rejects.toThrow(/socket hang up|ECONNRESET/);
    c.close();
  });

  it('probabilistic faults are deterministic for a seed', async () => {
    const pattern = async (seed: number) => {
      const lab = await startTestLab(smallLab(1), { seed });
      lab.lab.faults.set('TEST001', { errorRate: 0.5 });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await lab.client('TEST001').get('/redfish/v1')).status);
      await lab.stop();
      return out.join(',');
    };
    const a = await pattern(7);
    expect(await pattern(7)).toBe(a);
    expect(a).toContain('503');
    expect(a).toContain('200');
    expect(await pattern(8)).not.toBe(a);
  });
});
