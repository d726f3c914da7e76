import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/https-client';
import { type LabFixture, startTestLab } from './helpers/lab-fixture';

const RESET = '/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset';

describe('iDRAC ComputerSystem.Reset and reboot timing', () => {
  let f: LabFixture;
  beforeAll(async () => {
    // 1/600: POST lasts 200 ms, so "InPOST" is observable over HTTPS even on a loaded machine.
    f = await startTestLab(undefined, { timeScale: 1 / 600 });
  });
  afterAll(async () => {
    await f?.stop();
  });

  const power = async (hostId: string) =>
    ((await f.client(hostId).get('/redfish/v1/Systems/System.Embedded.1')).json as { PowerState: string })
      .PowerState;

  it('advertises the captured reset types and rejects others', async () => {
    const sys = (await f.client('TEST001').get('/redfish/v1/Systems/System.Embedded.1')).json as {
      Actions: { '#ComputerSystem.Reset': { 'ResetType@Redfish.AllowableValues': string[] } };
    };
    expect(sys.Actions['#ComputerSystem.Reset']['ResetType@Redfish.AllowableValues']).toEqual([
      'On',
      'ForceOff',
      'ForceRestart',
      'GracefulRestart',
      'GracefulShutdown',
      'PushPowerButton',
      'Nmi',
      'PowerCycle',
    ]);
    const r = await f.client('TEST001').post(RESET, { ResetType: 'Reboot' });
    expect(r.status).toBe(400);
  });

  it('a restart takes the host away from vCenter, then brings it back: phases in order', async () => {
    const host = f.lab.world.host('TEST001');
    const phases: string[] = [];
    const conn: string[] = [];
    const offP = f.lab.world.events.on(
      'host-os-phase',
      ({ hostId, phase }) => hostId === host.id && phases.push(phase),
    );
    const offC = f.lab.world.events.on(
      'host-connection',
      ({ hostId, connectionState }) => hostId === host.id && conn.push(connectionState),
    );
    const started = Date.now();
    expect((await f.client('TEST001').post(RESET, { ResetType: 'GracefulRestart' })).status).toBe(204);
    expect(host.connectionState).toBe('notResponding');
    await waitFor(() => host.connectionState === 'connected', 5_000, 'reconnect');
    const took = Date.now() - started;
    offP();
    offC();
    expect(phases).toEqual(['shuttingDown', 'post', 'booting', 'running']);
    expect(conn).toEqual(['notResponding', 'connected']);
    // shutdown 60 s + POST 120 s + ESXi 180 s + reconnect 30 s = 390 s real, scaled by 1/600 = 650 ms.
    expect(took).toBeGreaterThanOrEqual(640);
    // The iDRAC answered throughout.
    expect(await power('TEST001')).toBe('On');
    // One restart requested, one counted (the refused 'Reboot' above is not).
    expect(f.lab.world.tallies.host('TEST001').reboots).toBe(1);
  });

  it('ForceOff powers off; On powers on; repeating either is a 409', async () => {
    const c = f.client('TEST002');
    expect((await c.post(RESET, { ResetType: 'ForceOff' })).status).toBe(204);
    expect(await power('TEST002')).toBe('Off');
    expect((await c.post(RESET, { ResetType: 'ForceOff' })).status).toBe(409);
    expect((await c.post(RESET, { ResetType: 'GracefulRestart' })).status).toBe(409);
    const chassis = (await c.get('/redfish/v1/Chassis/System.Embedded.1')).json as { PowerState: string };
    expect(chassis.PowerState).toBe('Off');
    expect((await c.post(RESET, { ResetType: 'On' })).status).toBe(204);
    expect((await c.post(RESET, { ResetType: 'On' })).status).toBe(409);
    await waitFor(() => f.lab.world.host('TEST002').connectionState === 'connected', 5_000, 'reconnect');
    expect(await power('TEST002')).toBe('On');
  });

  it('a newer power action cancels an older sequence: ForceOff during POST keeps the host off', async () => {
    const c = f.client('TEST002');
    await waitFor(() => f.lab.world.host('TEST002').connectionState === 'connected', 5_000, 'ready');
    const up: string[] = [];
    const off = f.lab.world.events.on('host-up', ({ hostId }) => up.push(hostId));
    expect((await c.post(RESET, { ResetType: 'ForceRestart' })).status).toBe(204);
    expect((await c.post(RESET, { ResetType: 'ForceOff' })).status).toBe(204);
    // Longer than a whole reboot at this time scale.
    await new Promise((r) => setTimeout(r, 700));
    off();
    expect(up).toEqual([]);
    expect(await power('TEST002')).toBe('Off');
    expect(f.lab.world.host('TEST002').osPhase).toBe('off');
    expect((await c.post(RESET, { ResetType: 'On' })).status).toBe(204);
    await waitFor(() => f.lab.world.host('TEST002').connectionState === 'connected', 5_000, 'back');
  });

  it('PushPowerButton toggles through a graceful shutdown', async () => {
    const c = f.client('TEST002');
    expect((await c.post(RESET, { ResetType: 'PushPowerButton' })).status).toBe(204);
    await waitFor(async () => (await power('TEST002')) === 'Off', 5_000, 'off');
    expect((await c.post(RESET, { ResetType: 'PushPowerButton' })).status).toBe(204);
    expect(await power('TEST002')).toBe('On');
  });

  it('reports InPOST / OutOfPOST through GetRemoteServicesAPIStatus', async () => {
    const c = f.client('TEST001');
    const status = async () =>
      (
        await c.post(
          '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/DellLCService/Actions/DellLCService.GetRemoteServicesAPIStatus',
          {},
        )
      ).json as { ServerStatus: string; Status: string; LCStatus: string };
    await waitFor(() => f.lab.world.host('TEST001').osPhase === 'running');
    expect(await status()).toMatchObject({ ServerStatus: 'OutOfPOST', Status: 'Ready', LCStatus: 'Ready' });
    await c.post(RESET, { ResetType: 'ForceRestart' });
    expect(await status()).toMatchObject({ ServerStatus: 'InPOST', Status: 'NotReady' });
    await waitFor(() => f.lab.world.host('TEST001').connectionState === 'connected', 5_000, 'reconnect');
  });
});
