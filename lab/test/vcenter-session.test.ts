import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, startLab } from '../src/index';
import { createVimClient, faultType, returnval } from './helpers/vim-client';

describe('vCenter SOAP sessions', () => {
  let lab: Lab;
  let url: string;

  beforeAll(async () => {
    lab = await startLab(undefined, { timeScale: 1 / 6000, services: { ome: false, catalog: false } });
    url = lab.endpoints.vcenters[0]!.url;
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('serves the service content without a session, with vCenter morefs and about info', async () => {
    const vim = createVimClient(url, lab.tls.ca);
    const r = await vim.call(
      '<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>',
    );
    expect(r.status).toBe(200);
    const content = returnval(r, 'RetrieveServiceContent')!;
    expect(content.rootFolder).toEqual({ '@_type': 'Folder', '#text': 'group-d1' });
    expect(content.propertyCollector).toEqual({
      '@_type': 'PropertyCollector',
      '#text': 'propertyCollector',
    });
    expect(content.sessionManager).toEqual({ '@_type': 'SessionManager', '#text': 'SessionManager' });
    const about = content.about as Record<string, string>;
    expect(about.apiType).toBe('VirtualCenter');
    expect(about.apiVersion).toBe('8.0.2.0');
  });

  it('rejects a bad password with an InvalidLogin fault (HTTP 500) and sets no cookie', async () => {
    const vim = createVimClient(url, lab.tls.ca);
    const r = await vim.login('administrator@vsphere.local', 'wrong');
    expect(r.status).toBe(500);
    expect(faultType(r)).toBe('InvalidLogin');
    expect((r.body['soapenv:Fault'] as Record<string, string>).faultcode).toBe('ServerFaultCode');
    expect(vim.cookie).toBeUndefined();
  });

  it('logs in with a vmware_soap_session cookie, works with it, and logs out', async () => {
    const vim = createVimClient(url, lab.tls.ca);
    const login = await vim.login();
    expect(login.status).toBe(200);
    expect(String(login.headers['set-cookie'])).toMatch(/^vmware_soap_session="[0-9a-f]{40}"/);
    const session = returnval(login, 'Login')!;
    expect(session.userName).toBe('VSPHERE.LOCAL\\administrator');
    const active = async (id: string) =>
      returnval(
        await vim.call(
          `<SessionIsActive xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><sessionID>${id}</sessionID><userName>administrator@vsphere.local</userName></SessionIsActive>`,
        ),
        'SessionIsActive',
      ) as unknown as string;
    expect(await active(String(session.key))).toBe('true');
    expect(await active('52000000-0000-0000-0000-000000000000')).toBe('false');

    const view = await vim.call(
      '<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container><type>HostSystem</type><recursive>true</recursive></CreateContainerView>',
    );
    expect(view.status).toBe(200);
    expect((returnval(view, 'CreateContainerView') as unknown as { '@_type': string })['@_type']).toBe(
      'ContainerView',
    );

    const out = await vim.call(
      '<Logout xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this></Logout>',
    );
    expect(out.status).toBe(200);
    const after = await vim.call(
      '<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container><type>HostSystem</type><recursive>true</recursive></CreateContainerView>',
    );
    expect(after.status).toBe(500);
    expect(faultType(after)).toBe('NotAuthenticated');
  });

  it('answers an unknown method with a fault, not a crash', async () => {
    const vim = createVimClient(url, lab.tls.ca);
    await vim.login();
    const r = await vim.call(
      '<FrobnicateHost xmlns="urn:vim25"><_this type="HostSystem">host-1000</_this></FrobnicateHost>',
    );
    expect(r.status).toBe(500);
    expect(faultType(r)).toBe('MethodNotFound');
  });
});
