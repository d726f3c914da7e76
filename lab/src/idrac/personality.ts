import { z } from 'zod';

/**
 * iDRAC generations the lab can impersonate, one per host (`idrac` in the lab config). They differ
 * where RackOps' client used to assume one layout; everything else is the shared 6.00.30.00 capture.
 * What each changes, and where the knowledge comes from: lab/docs/idrac-personalities.md.
 */
export const IdracPersonality = z.enum(['idrac9-3.x', 'idrac9-6.x', 'idrac9-7.x']);
export type IdracPersonality = z.infer<typeof IdracPersonality>;

export const DEFAULT_PERSONALITY: IdracPersonality = 'idrac9-6.x';

const MANAGER = '/redfish/v1/Managers/iDRAC.Embedded.1';
/** The Dell OEM resources as the capture (iDRAC9 4.x and later) places them. */
const CANONICAL = {
  jobs: `${MANAGER}/Oem/Dell/Jobs`,
  lcService: `${MANAGER}/Oem/Dell/DellLCService`,
  jobService: `${MANAGER}/Oem/Dell/DellJobService`,
} as const;
/** The legacy DellJob collection iDRAC9 3.x links (later firmware still serves it beside the Oem one). */
const LEGACY_JOBS = `${MANAGER}/Jobs`;
/** iDRAC9 3.x kept the Dell OEM services under a tree of their own. */
const OLD_DELL = '/redfish/v1/Dell/Managers/iDRAC.Embedded.1';

export interface PersonalityTraits {
  /** Where this generation serves each Dell OEM resource (what `Links.Oem.Dell` names). */
  readonly layout: { jobs: string; lcService: string; jobService: string };
  /** Paths of the capture this generation does not serve (404), as prefixes. */
  readonly notServed: readonly string[];
  /** `$expand` answered (members inline) or refused with 501 `QueryNotSupported`. */
  readonly expand: boolean;
  readonly redfishVersion: string | undefined;
  /** `ProtocolFeaturesSupported` in the service root: as captured, replaced, or absent. */
  readonly protocolFeatures: 'captured' | 'absent' | Record<string, unknown>;
  /**
   * A host reset through Redfish leaves a reboot job (`RID_…`) that stays `Running` at 100 % with
   * "Reboot is complete." once the host is back (issue 19, defect 9).
   */
  readonly rebootJobStaysRunning: boolean;
}

const TRAITS: Record<IdracPersonality, PersonalityTraits> = {
  'idrac9-3.x': {
    layout: {
      jobs: LEGACY_JOBS,
      lcService: `${OLD_DELL}/DellLCService`,
      jobService: `${OLD_DELL}/DellJobService`,
    },
    notServed: [CANONICAL.jobs, CANONICAL.lcService, CANONICAL.jobService],
    expand: false,
    redfishVersion: '1.4.0',
    protocolFeatures: 'absent',
    rebootJobStaysRunning: true,
  },
  'idrac9-6.x': {
    layout: { ...CANONICAL },
    notServed: [],
    expand: true,
    redfishVersion: undefined,
    protocolFeatures: 'captured',
    rebootJobStaysRunning: false,
  },
  'idrac9-7.x': {
    layout: { ...CANONICAL },
    // Lab choice (not a documented 7.x fact): the legacy collection is gone, so a client that still
    // reads it where the Manager names another fails here.
    notServed: [LEGACY_JOBS],
    expand: true,
    redfishVersion: '1.17.0',
    protocolFeatures: {
      DeepOperations: { DeepPATCH: false, DeepPOST: false },
      ExcerptQuery: false,
      ExpandQuery: { ExpandAll: true, Levels: true, Links: true, MaxLevels: 1, NoLinks: true },
      FilterQuery: true,
      OnlyMemberQuery: true,
      SelectQuery: true,
      TopSkipQuery: true,
    },
    rebootJobStaysRunning: false,
  },
};

export const traitsOf = (p: IdracPersonality): PersonalityTraits => TRAITS[p];

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/**
 * The capture's path for a request path on this generation; undefined when this generation has no
 * such resource (404). Only 3.x moves resources; the others serve the capture's paths.
 */
export function toCapturePath(p: IdracPersonality, path: string): string | undefined {
  const t = TRAITS[p];
  if (t.notServed.some((prefix) => under(path, prefix))) return undefined;
  if (p !== 'idrac9-3.x') return path;
  if (under(path, t.layout.lcService)) return CANONICAL.lcService + path.slice(t.layout.lcService.length);
  if (under(path, t.layout.jobService)) return CANONICAL.jobService + path.slice(t.layout.jobService.length);
  return path;
}

/** A response body as this generation words it: the capture's OEM paths moved where it serves them. */
export function fromCapturePaths(p: IdracPersonality, text: string): string {
  if (p !== 'idrac9-3.x') return text;
  const t = TRAITS[p];
  return text
    .replaceAll(CANONICAL.lcService, t.layout.lcService)
    .replaceAll(CANONICAL.jobService, t.layout.jobService)
    .replaceAll(`"${CANONICAL.jobs}`, `"${t.layout.jobs}`);
}

/** The service root as this generation answers it. */
export function serviceRootFor(p: IdracPersonality, root: Record<string, unknown>): Record<string, unknown> {
  const t = TRAITS[p];
  const o = { ...root };
  if (t.redfishVersion) o.RedfishVersion = t.redfishVersion;
  if (t.protocolFeatures === 'absent') delete o.ProtocolFeaturesSupported;
  else if (t.protocolFeatures !== 'captured') o.ProtocolFeaturesSupported = t.protocolFeatures;
  return o;
}

/** Collections answer at most this many members per page, with `Members@odata.nextLink` (as iDRAC9 does). */
export const PAGE_SIZE = 50;

/**
 * The live collections the lab pages: job queues and the firmware inventory, which grow at run time. Captured
 * collections are served as captured (the R750 answered its 50+ `dbx/Signatures` in one page, and its
 * `DellSensors`/`DellSlots` with `$skip=50` pages the capture holds).
 */
export const PAGED_COLLECTION =
  /^\/redfish\/v1\/(?:Managers\/iDRAC\.Embedded\.1\/(?:Oem\/Dell\/)?Jobs|JobService\/Jobs|TaskService\/Tasks|UpdateService\/FirmwareInventory)$/;

/**
 * One page of a collection: members `$skip`..`$skip+50`, and a nextLink carrying the same `$expand`
 * when more remain. Collections of 50 or fewer (including pages the capture holds as they are) pass unchanged.
 */
export function pageOf(
  o: Record<string, unknown>,
  path: string,
  params: URLSearchParams,
): Record<string, unknown> {
  const members = o.Members;
  if (!Array.isArray(members) || members.length <= PAGE_SIZE) return o;
  const skip = Math.max(0, Number.parseInt(params.get('$skip') ?? '0', 10) || 0);
  const page: Record<string, unknown> = { ...o, Members: members.slice(skip, skip + PAGE_SIZE) };
  delete page['Members@odata.nextLink'];
  if (skip + PAGE_SIZE < members.length) {
    const expand = params.get('$expand');
    const keep = expand === null ? '' : `$expand=${encodeURIComponent(expand)}&`;
    page['Members@odata.nextLink'] = `${path}?${keep}$skip=${skip + PAGE_SIZE}`;
  }
  return page;
}
