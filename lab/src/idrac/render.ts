import { FW_INVENTORY } from '../world/firmware';
import { serverStatus } from '../world/host-lifecycle';
import type { HostState, VirtualMediaSlot } from '../world/types';
import type { World } from '../world/world';
import { renderFirmwareInventory } from './firmware-inventory';
import {
  DELL_JOBS,
  MANAGER_JOBS,
  REDFISH_JOBS,
  TASKS,
  dellJob,
  jobCollection,
  redfishJob,
  task,
} from './jobs-view';
import { expireSessions } from './auth';
import {
  HTTPS_CERTIFICATE,
  LC_ENTRIES,
  SEL_ENTRIES,
  certificateWithFault,
  eventEntry,
  logWithEvents,
  systemWithFault,
} from './hardware-health';
import { personalisedJson, personalisedText } from './personalise';

type Json = Record<string, unknown>;

export const SYSTEM = '/redfish/v1/Systems/System.Embedded.1';
export const MANAGER = '/redfish/v1/Managers/iDRAC.Embedded.1';
export const CHASSIS = '/redfish/v1/Chassis/System.Embedded.1';
export const SESSIONS = '/redfish/v1/SessionService/Sessions';
export const VIRTUAL_MEDIA = `${MANAGER}/VirtualMedia`;

/** A rendered GET: JSON text, or a raw body (an exported SCP). */
export type Rendered = { json: string } | { raw: string; contentType: string };

const j = (o: unknown): Rendered => ({ json: JSON.stringify(o) });

function virtualMedia(world: World, host: HostState, slot: 'CD' | 'RemovableDisk'): Json {
  const v: VirtualMediaSlot = host.virtualMedia[slot];
  const o = personalisedJson<Json>(world.capture, host, `${VIRTUAL_MEDIA}/${slot}`);
  o.Image = v.image ?? null;
  o.ImageName = v.image ? v.image.split('/').pop()! : null;
  o.Inserted = v.inserted;
  o.ConnectedVia = v.connectedVia;
  o.WriteProtected = v.inserted ? v.writeProtected : null;
  o.TransferProtocolType = v.image ? (v.image.startsWith('https') ? 'HTTPS' : 'HTTP') : null;
  o.TransferMethod = v.image ? 'Stream' : null;
  return o;
}

/**
 * Render GET `path` for `host`: live state where the iDRAC's state lives (power, firmware,
 * jobs, sessions, media), the personalised capture everywhere else. Undefined = 404.
 */
export function renderGet(world: World, host: HostState, rawPath: string, query = ''): Rendered | undefined {
  const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
  const cap = world.capture;
  if (path === '/redfish') return j({ v1: '/redfish/v1/' });

  if (path === FW_INVENTORY || path.startsWith(`${FW_INVENTORY}/`)) {
    const fw = renderFirmwareInventory(cap, world.components, host, path);
    if (fw) return j(fw);
    // Only the capture's collection-level helpers remain (none of them versioned).
    return undefined;
  }

  const jobMatch =
    /^(\/redfish\/v1\/(?:Managers\/iDRAC\.Embedded\.1\/(?:Oem\/Dell\/)?Jobs|JobService\/Jobs|TaskService\/Tasks))(?:\/([^/]+))?$/.exec(
      path,
    );
  if (jobMatch) {
    const [, base, id] = jobMatch;
    const kind =
      base === DELL_JOBS
        ? 'dell'
        : base === MANAGER_JOBS
          ? 'manager'
          : base === REDFISH_JOBS
            ? 'redfish'
            : 'tasks';
    if (!id) {
      const templatePath = kind === 'redfish' ? REDFISH_JOBS : kind === 'tasks' ? TASKS : DELL_JOBS;
      return j(jobCollection(host, kind, cap.json(templatePath) as Json));
    }
    const job = host.jobs.get(id);
    if (!job) return undefined;
    if (kind === 'tasks') {
      // A finished export task answers with the profile itself (as iDRAC does for local exports).
      if (job.jobType === 'ExportConfiguration' && job.state === 'Completed' && job.exportContent) {
        return {
          raw: job.exportContent,
          contentType: job.exportFormat === 'XML' ? 'application/xml' : 'application/json',
        };
      }
      return j(task(job));
    }
    if (kind === 'redfish') return j(redfishJob(job));
    return j(dellJob(job, base!));
  }

  if (path === SESSIONS || path.startsWith(`${SESSIONS}/`)) expireSessions(world, host);
  if (path === SESSIONS) {
    const o = structuredClone(cap.json(SESSIONS)) as Json;
    const ids = [...host.sessions.keys()];
    o.Members = ids.map((id) => ({ '@odata.id': `${SESSIONS}/${id}` }));
    o['Members@odata.count'] = ids.length;
    return j(o);
  }
  if (path.startsWith(`${SESSIONS}/`)) {
    const s = host.sessions.get(path.slice(SESSIONS.length + 1));
    if (!s) return undefined;
    return j(sessionView(world, s.id, s.username));
  }

  if (path === SYSTEM) {
    const o = systemWithFault(
      personalisedJson<Json>(cap, host, SYSTEM, world.components),
      world.faults.get(host.id).hardware,
    );
    o.PowerState = host.power;
    o.BiosVersion = host.firmware.get('BIOS.Setup.1-1')?.version ?? o.BiosVersion;
    o.Model = host.model;
    o.HostName = host.name;
    return j(o);
  }
  if (path === CHASSIS) {
    const o = personalisedJson<Json>(cap, host, CHASSIS, world.components);
    o.PowerState = host.power;
    o.Model = host.model;
    return j(o);
  }
  if (path === MANAGER) {
    const o = personalisedJson<Json>(cap, host, MANAGER, world.components);
    const v = host.firmware.get('iDRAC.Embedded.1-1')?.version;
    if (v) {
      o.FirmwareVersion = v;
      (o.Links as Json).ActiveSoftwareImage = {
        '@odata.id': `${FW_INVENTORY}/Installed-25227-${v}__iDRAC.Embedded.1-1`,
      };
    }
    return j(o);
  }
  if (path === `${VIRTUAL_MEDIA}/CD` || path === `${VIRTUAL_MEDIA}/RemovableDisk`) {
    return j(virtualMedia(world, host, path.endsWith('/CD') ? 'CD' : 'RemovableDisk'));
  }
  if (path === SEL_ENTRIES || path === LC_ENTRIES) {
    return j(logWithEvents(personalisedJson<Json>(cap, host, path), host, path));
  }
  const event = eventEntry(host, path);
  if (event) return j(event);
  if (path === HTTPS_CERTIFICATE && cap.texts.has(path)) {
    const days = world.faults.get(host.id).certificateExpiresInDays;
    return j(certificateWithFault(personalisedJson<Json>(cap, host, path), days, world.clock.now()));
  }
  if (path === `${MANAGER}/Oem/Dell/DellJobService`) {
    const o = personalisedJson<Json>(cap, host, path);
    o.CurrentNumberOfJobs = host.jobs.size;
    return j(o);
  }
  // The capture holds some pages as `<path>?$skip=50`: serve those verbatim.
  const text =
    (query ? personalisedText(cap, host, `${path}${query}`, world.components) : undefined) ??
    personalisedText(cap, host, path, world.components);
  return text === undefined ? undefined : { json: text };
}

/** A Session resource in the captured shape. */
export function sessionView(world: World, id: string, username: string): Json {
  const o = structuredClone(world.capture.json(`${SESSIONS}/274`)) as Json;
  o['@odata.id'] = `${SESSIONS}/${id}`;
  o.Id = id;
  o.UserName = username;
  o.ClientOriginIPAddress = '127.0.0.1';
  return o;
}

/** `DellLCService.GetRemoteServicesAPIStatus`. */
export function remoteServicesStatus(world: World, host: HostState): Json {
  const lcReady = !world.faults.get(host.id).lcNotReady;
  const running = [...host.jobs.values()].some((x) => x.state === 'Running' && !x.stale);
  const server = serverStatus(host);
  const rtReady = lcReady && !running && server !== 'InPOST';
  return {
    '@Message.ExtendedInfo': [
      {
        Message: lcReady
          ? 'Lifecycle Controller Remote Services is ready.'
          : 'Lifecycle Controller Remote Services is not ready.',
        MessageArgs: [],
        'MessageArgs@odata.count': 0,
        MessageId: lcReady ? 'IDRAC.2.8.LC061' : 'IDRAC.2.8.LC060',
        RelatedProperties: [],
        'RelatedProperties@odata.count': 0,
        Resolution: lcReady ? 'No response action is required.' : 'Wait and retry.',
        Severity: 'Informational',
      },
    ],
    LCStatus: lcReady ? 'Ready' : 'NotReady',
    RTStatus: rtReady ? 'Ready' : 'NotReady',
    ServerStatus: server,
    Status: lcReady && rtReady ? 'Ready' : 'NotReady',
    TelemetryStatus: 'Ready',
  };
}

/** Inline a collection's members (one level), for `$expand`. Non-collections are returned as is. */
export function expandMembers(world: World, host: HostState, r: { json: string }): Rendered {
  const o = JSON.parse(r.json) as Json;
  if (!Array.isArray(o.Members)) return r;
  o.Members = (o.Members as Array<{ '@odata.id'?: string }>).map((m) => {
    const id = m['@odata.id'];
    const inner = id ? renderGet(world, host, id) : undefined;
    return inner && 'json' in inner ? (JSON.parse(inner.json) as unknown) : m;
  });
  return { json: JSON.stringify(o) };
}
