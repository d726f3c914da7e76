import { type HostileRedfish, startHostileRedfish } from '@rackops/lab/testing/hostile-redfish';
import { DeviceError } from '@rackops/relay-agent/http/errors';
import type { RedfishClient } from '@rackops/relay-agent/redfish/redfish-client';
import { pinnedRedfishClient } from '@rackops/relay-agent/testing/pinned-redfish-client';
import type { AttackCatalogue, AttackOutcome } from './attack';

const MANAGER = '/redfish/v1/Managers/iDRAC.Embedded.1';
const DELL = `${MANAGER}/Oem/Dell`;
const JOBS = `${DELL}/Jobs`;
const SESSIONS = '/redfish/v1/SessionService/Sessions';

/** Every spelling of "somewhere other than this device's Redfish API" a hostile iDRAC might send. */
export function hostileLinks(home: string, elsewhere: string): [string, string][] {
  const h = new URL(home);
  const e = new URL(elsewhere);
  return [
    ['absolute URL elsewhere', `${elsewhere}/redfish/v1/Systems/x`],
    ['protocol-relative elsewhere', `//${e.host}/redfish/v1/Systems/x`],
    ['same host, other port', `https://${h.hostname}:${e.port}/redfish/v1/Systems/x`],
    ['same port, other name', `https://localhost:${h.port}/redfish/v1/Systems/x`],
    ['http downgrade', `http://${h.host}/redfish/v1/Systems/x`],
    ['user info on the same origin', `https://root:calvin@${h.host}/redfish/v1/Systems/x`],
    ['user info that is a host', `https://${h.host}@${e.host}/redfish/v1/Systems/x`],
    ['IPv4-mapped elsewhere', `https://[::ffff:127.0.0.1]:${e.port}/redfish/v1/x`],
    ['dot segments', '/redfish/v1/../../../etc/passwd'],
    ['dot segments at the end', '/redfish/v1/Systems/..'],
    ['encoded dot segments', '/redfish/v1/%2e%2e/%2e%2e/admin'],
    ['encoded slash', '/redfish/v1/Systems%2f..%2f..%2fadmin'],
    ['encoded backslash', '/redfish/v1/Systems%5c..%5cadmin'],
    ['NUL byte', '/redfish/v1/Systems%00.json'],
    ['header injection', '/redfish/v1/x\r\nHost: evil.example'],
    ['backslash host', `/\\${e.host}/redfish/v1/x`],
    ['UNC path', `\\\\${e.hostname}\\share`],
    ['outside the Redfish API', '/cgi-bin/admin?reset=1'],
    ['root of the device', '/'],
    ['file scheme', 'file:///etc/passwd'],
    ['javascript scheme', 'javascript:alert(1)'],
    ['data scheme', 'data:application/json,{}'],
    ['oversized', `/redfish/v1/${'a'.repeat(4000)}`],
    ['space in path', '/redfish/v1/Systems/a b'],
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data/'],
  ];
}

/** `header`: the link travels in an HTTP header, which cannot carry CR/LF at all. */
type Place = {
  name: string;
  header?: boolean;
  arm(d: HostileRedfish, link: string): void;
  trigger(rf: RedfishClient): Promise<unknown>;
};

/** Where a device's links reach the client: each one armed with the hostile link, then triggered. */
const PLACES: Place[] = [
  {
    name: 'job collection member',
    arm: (d, link) => d.script.set(`GET ${JOBS}`, { body: { Members: [{ '@odata.id': link }] } }),
    trigger: (rf) => rf.jobs(),
  },
  {
    name: 'job collection nextLink',
    arm: (d, link) => d.script.set(`GET ${JOBS}`, { body: { Members: [], 'Members@odata.nextLink': link } }),
    trigger: (rf) => rf.jobs(),
  },
  {
    name: 'firmware inventory member',
    arm: (d, link) =>
      d.script.set('GET /redfish/v1/UpdateService/FirmwareInventory', {
        body: { Members: [{ '@odata.id': `${link}/Installed-1` }] },
      }),
    trigger: (rf) => rf.firmwareInventory(),
  },
  {
    name: 'Manager Links.Oem.Dell.Jobs',
    arm: (d, link) =>
      d.script.set(`GET ${MANAGER}`, { body: { Links: { Oem: { Dell: { Jobs: { '@odata.id': link } } } } } }),
    trigger: (rf) => rf.jobs(),
  },
  {
    name: 'DellLCService action target',
    arm: (d, link) =>
      d.script.set(`GET ${DELL}/DellLCService`, {
        body: { Actions: { '#DellLCService.GetRemoteServicesAPIStatus': { target: link } } },
      }),
    trigger: (rf) => rf.lcStatus(),
  },
  {
    name: 'login Location header',
    header: true,
    arm: (d, link) =>
      d.script.set(`POST ${SESSIONS}`, {
        status: 201,
        headers: { 'x-auth-token': 'hostile-token', location: link },
        body: {},
      }),
    trigger: async (rf) => {
      await rf.login();
      await rf.logout();
    },
  },
  {
    name: 'SimpleUpdate Location header',
    header: true,
    arm: (d, link) =>
      d.script.set('POST /redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate', {
        status: 202,
        headers: { location: `${link.replace(/\/$/, '')}/JID_123456789012` },
      }),
    trigger: (rf) => rf.simpleUpdate('https://repo.example/BIOS.EXE', 'OnReset'),
  },
  {
    name: 'MultipartHttpPushUri',
    arm: (d, link) => d.script.set('GET /redfish/v1/UpdateService', { body: { MultipartHttpPushUri: link } }),
    trigger: (rf) => rf.multipartUpdate(Buffer.from('firmware'), 'BIOS.EXE', 'OnReset'),
  },
];

/** Paths a client may legitimately ask the hostile device for while being attacked. */
const SAFE_PATHS = [
  SESSIONS,
  `${SESSIONS}/1`,
  '/redfish/v1',
  MANAGER,
  `${DELL}/DellLCService`,
  `${DELL}/DellJobService`,
  JOBS,
  '/redfish/v1/UpdateService',
  '/redfish/v1/UpdateService/FirmwareInventory',
  '/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate',
];

/**
 * Refused = the client threw a DeviceError (`link_refused`, or a malformed answer) and nothing reached
 * "elsewhere", and the device saw no request for anything but the paths the operation itself uses.
 */
export const run: AttackCatalogue = async () => {
  const d = await startHostileRedfish();
  const out: AttackOutcome[] = [];
  try {
    for (const place of PLACES) {
      for (const [variant, link] of hostileLinks(d.url, d.elsewhere)) {
        if (place.header && /[\r\n]/.test(link)) continue;
        d.reset();
        place.arm(d, link);
        const { rf, close } = pinnedRedfishClient(d);
        let thrown: unknown;
        try {
          await place.trigger(rf);
        } catch (err) {
          thrown = err;
        }
        close();
        const strayed = d.seen.filter(
          (s) =>
            !SAFE_PATHS.includes(s.path) && !s.path.startsWith('/redfish/v1/UpdateService/MultipartUpload'),
        );
        const refused = thrown instanceof DeviceError && d.seenElsewhere.length === 0 && strayed.length === 0;
        out.push({
          area: 'device-input',
          name: `${place.name}: ${variant}`,
          refused,
          detail: refused
            ? (thrown as DeviceError).code
            : `thrown=${thrown instanceof Error ? thrown.message.slice(0, 120) : 'nothing'} elsewhere=${d.seenElsewhere.length} strayed=${strayed.map((s) => s.path.slice(0, 60)).join(',')}`,
        });
      }
    }
  } finally {
    await d.close();
  }
  return out;
};
