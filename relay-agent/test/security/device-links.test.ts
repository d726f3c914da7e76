import { type HostileRedfish, startHostileRedfish } from '@rackops/lab/testing/hostile-redfish';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RedfishClient } from '../../src/redfish/redfish-client';
import { pinnedRedfishClient } from '../../src/testing/pinned-redfish-client';

const JOBS = '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/Jobs';

/** A compromised iDRAC's links (members, nextLinks, Location headers, upload URIs) never take the agent elsewhere. */
describe('links a hostile iDRAC sends', () => {
  let d: HostileRedfish;
  let rf: RedfishClient;
  let client: ReturnType<typeof pinnedRedfishClient> | undefined;
  beforeAll(async () => {
    d = await startHostileRedfish();
  });
  afterAll(async () => {
    client?.close();
    await d?.close();
  });
  beforeEach(() => {
    d.reset();
    client?.close();
    client = pinnedRedfishClient(d);
    rf = client.rf;
  });

  it('a collection member on another host is not fetched (the session token stays home)', async () => {
    d.script.set(`GET ${JOBS}`, { body: { Members: [{ '@odata.id': `${d.elsewhere}/redfish/v1/x` }] } });
    await expect(rf.jobs()).rejects.toMatchObject({ code: 'link_refused' });
    expect(d.seenElsewhere).toEqual([]);
  });

  it('a nextLink with dot segments is not followed out of the Redfish API', async () => {
    d.script.set(`GET ${JOBS}`, {
      body: { Members: [], 'Members@odata.nextLink': '/redfish/v1/../../cgi-bin/reset' },
    });
    await expect(rf.jobs()).rejects.toMatchObject({ code: 'link_refused' });
    expect(d.seen.map((s) => s.path)).not.toContain('/cgi-bin/reset');
  });

  it('a Manager that links its job queue elsewhere is refused before anything is sent there', async () => {
    d.script.set('GET /redfish/v1/Managers/iDRAC.Embedded.1', {
      body: { Links: { Oem: { Dell: { Jobs: { '@odata.id': `${d.elsewhere}/redfish/v1/Jobs` } } } } },
    });
    await expect(rf.jobs()).rejects.toMatchObject({ code: 'link_refused' });
    expect(d.seenElsewhere).toEqual([]);
  });

  it('an OEM action target with dot segments is refused, not posted to', async () => {
    d.script.set('GET /redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/DellLCService', {
      body: {
        Actions: {
          '#DellLCService.GetRemoteServicesAPIStatus': { target: '/redfish/v1/../../cgi-bin/reset' },
        },
      },
    });
    await expect(rf.lcStatus()).rejects.toMatchObject({ code: 'link_refused' });
    expect(
      d.seen.filter((s) => s.method === 'POST' && s.path !== '/redfish/v1/SessionService/Sessions'),
    ).toEqual([]);
  });

  it('a login Location elsewhere is refused before logout could send the token there', async () => {
    d.script.set('POST /redfish/v1/SessionService/Sessions', {
      status: 201,
      headers: { 'x-auth-token': 't', location: `${d.elsewhere}/redfish/v1/SessionService/Sessions/1` },
      body: {},
    });
    await expect(rf.login()).rejects.toMatchObject({ code: 'link_refused' });
    await rf.logout();
    expect(d.seenElsewhere).toEqual([]);
  });

  it('a MultipartHttpPushUri elsewhere does not receive the firmware', async () => {
    d.script.set('GET /redfish/v1/UpdateService', {
      body: { MultipartHttpPushUri: `${d.elsewhere}/redfish/v1/UpdateService/MultipartUpload` },
    });
    await expect(rf.multipartUpdate(Buffer.from('fw'), 'B.EXE', 'OnReset')).rejects.toMatchObject({
      code: 'link_refused',
    });
    expect(d.seenElsewhere).toEqual([]);
  });

  it('an update Location that is not a job link on this device is refused', async () => {
    d.script.set('POST /redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate', {
      status: 202,
      headers: { location: `${d.elsewhere}/redfish/v1/TaskService/Tasks/JID_123456789012` },
    });
    await expect(rf.simpleUpdate('https://repo.example/B.EXE', 'OnReset')).rejects.toMatchObject({
      code: 'link_refused',
    });
  });

  it('same-origin absolute links are still followed (real iDRACs send some), other ports are not', async () => {
    const port = new URL(d.elsewhere).port;
    d.script.set(`GET ${JOBS}`, {
      body: { Members: [{ '@odata.id': `https://127.0.0.1:${port}${JOBS}/JID_1` }] },
    });
    await expect(rf.jobs()).rejects.toMatchObject({ code: 'link_refused' });
    d.script.set(`GET ${JOBS}`, { body: { Members: [{ '@odata.id': `${d.url}${JOBS}/JID_1` }] } });
    d.script.set(`GET ${JOBS}/JID_1`, { body: { Id: 'JID_1', JobState: 'Completed' } });
    await expect(rf.jobs()).resolves.toMatchObject([{ Id: 'JID_1' }]);
  });
});
