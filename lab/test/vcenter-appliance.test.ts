import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, startLab } from '../src/index';
import { createClient } from './helpers/https-client';
import { createVimClient, faultType } from './helpers/vim-client';

const SERVICE_CONTENT =
  '<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>';
const VIEW =
  '<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container><type>HostSystem</type><recursive>true</recursive></CreateContainerView>';

describe('the vCenter runs in a VM it manages', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await startLab(undefined, { timeScale: 1 / 6000, services: { ome: false, catalog: false } });
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('goes away when its host reboots outside maintenance mode, comes back after the host, and forgets sessions', async () => {
    const vcsa = [...lab.world.vms.values()].find((v) => v.isVcenterAppliance)!;
    const hostId = vcsa.hostId;
    const bystanders = lab.world
      .vmsOnHost(hostId)
      .filter((v) => v.powerState === 'poweredOn' && v.id !== vcsa.id);
    const vim = createVimClient(lab.endpoints.vcenters[0]!.url, lab.tls.ca);
    await vim.login();
    expect((await vim.call(VIEW)).status).toBe(200);

    const idrac = lab.endpoints.idracs.find((e) => e.hostId === hostId)!;
    const redfish = createClient(idrac.url, {
      ca: lab.tls.ca,
      auth: { username: 'root', password: 'calvin' },
    });
    await redfish.post('/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset', {
      ResetType: 'ForceRestart',
    });

    await expect(vim.call(SERVICE_CONTENT)).rejects.toThrow();
    // Host POST + ESXi boot + reconnect, then the appliance's own boot: it answers again.
    await expect
      .poll(
        () =>
          vim.call(SERVICE_CONTENT).then(
            (r) => r.status,
            () => 0,
          ),
        { interval: 10, timeout: 10_000 },
      )
      .toBe(200);
    expect(vcsa.powerState).toBe('poweredOn');
    // The restart lost every session; the other VMs of that host stay crashed.
    expect(faultType(await vim.call(VIEW))).toBe('NotAuthenticated');
    expect((await vim.login()).status).toBe(200);
    expect(bystanders.every((v) => v.powerState === 'poweredOff')).toBe(true);
  });
});
