import { z } from 'zod';
import { MalformedResponseError } from '../http/errors';

/**
 * Where this iDRAC keeps the Dell OEM resources RackOps uses, and which query options it takes — read from
 * the service itself, because generations differ: iDRAC9 3.x links `DellLCService`/`DellJobService` under
 * `/redfish/v1/Dell/Managers/iDRAC.Embedded.1/…` and its jobs at `Managers/iDRAC.Embedded.1/Jobs`; 4.x and
 * later under `Managers/iDRAC.Embedded.1/Oem/Dell/…`. The Manager's `Links.Oem.Dell` names them; each
 * service's `Actions` names its action targets; the service root's `ProtocolFeaturesSupported.ExpandQuery`
 * says whether `$expand` is understood.
 */
export interface RedfishServiceMap {
  /** DellJob collection (`Links.Oem.Dell.Jobs`). */
  readonly jobs: string;
  /** `DellLCService.GetRemoteServicesAPIStatus` target. */
  readonly lcStatusAction: string;
  /** `DellJobService.DeleteJobQueue` target. */
  readonly deleteJobQueueAction: string;
  /** `…ExportSystemConfiguration` target (Manager `Actions.Oem`). */
  readonly exportScpAction: string;
  /** The `$expand` value to ask collections with; undefined: read members page by page instead. */
  readonly expand: string | undefined;
  /** Names that were not linked by the service and fell back to the 4.x+ layout (for diagnostics). */
  readonly fallbacks: readonly string[];
}

export const MANAGER = '/redfish/v1/Managers/iDRAC.Embedded.1';
const DELL = `${MANAGER}/Oem/Dell`;

/**
 * The iDRAC9 4.x and later layout (the one the shared 6.00.30.00 capture has): used for a name the service
 * does not link. A service that links a resource elsewhere is always believed over this.
 */
export const DEFAULT_LAYOUT = {
  jobs: `${DELL}/Jobs`,
  lcService: `${DELL}/DellLCService`,
  jobService: `${DELL}/DellJobService`,
  exportScpAction: `${MANAGER}/Actions/Oem/EID_674_Manager.ExportSystemConfiguration`,
} as const;

// No length limit here: an over-long link is refused by the link check, not mistaken for an absent one.
const Ref = z.object({ '@odata.id': z.string().min(1) });
const Target = z.looseObject({ target: z.string().min(1) });

export const ServiceRootFeatures = z.looseObject({
  RedfishVersion: z.string().max(32).optional(),
  ProtocolFeaturesSupported: z
    .looseObject({
      ExpandQuery: z
        .looseObject({
          ExpandAll: z.boolean().optional(),
          Levels: z.boolean().optional(),
          MaxLevels: z.number().int().optional(),
        })
        .optional(),
    })
    .optional(),
});

export const ManagerOemLinks = z.looseObject({
  Links: z
    .looseObject({
      Oem: z
        .looseObject({
          Dell: z
            .looseObject({
              Jobs: Ref.optional(),
              DellLCService: Ref.optional(),
              DellJobService: Ref.optional(),
            })
            .optional(),
        })
        .optional(),
    })
    .optional(),
  Actions: z.looseObject({ Oem: z.record(z.string(), z.unknown()).optional() }).optional(),
});

export const OemService = z.looseObject({ Actions: z.record(z.string(), z.unknown()).optional() });

/**
 * The `$expand` to use: `*($levels=1)` when the service says it expands all links with `$levels`,
 * `*` when it expands all without levels; none when it does not say (DSP0266: absent means unsupported).
 */
export function expandFor(root: z.infer<typeof ServiceRootFeatures>): string | undefined {
  const q = root.ProtocolFeaturesSupported?.ExpandQuery;
  if (!q?.ExpandAll) return undefined;
  if (q.MaxLevels !== undefined && q.MaxLevels < 1) return undefined;
  return q.Levels ? '*($levels=1)' : '*';
}

/**
 * The target of action `name` (`#DellLCService.GetRemoteServicesAPIStatus`) in an `Actions` object; undefined
 * when the action is not listed. Listed without a usable target is a malformed answer, not a fallback.
 */
export function actionTarget(
  actions: Record<string, unknown> | undefined,
  name: string,
  device = 'idrac',
): string | undefined {
  if (actions?.[name] === undefined) return undefined;
  const a = Target.safeParse(actions[name]);
  if (!a.success) throw new MalformedResponseError(`${device} ${name}`, 'action listed without a target');
  return a.data.target;
}

/** The Manager's OEM export action, whatever OEM schema version prefixes its name. */
function exportTarget(oem: Record<string, unknown> | undefined, device: string): string | undefined {
  const key = Object.keys(oem ?? {}).find((k) => k.endsWith('.ExportSystemConfiguration'));
  return key ? actionTarget(oem, key, device) : undefined;
}

export interface DiscoveryIo {
  readonly device: string;
  get<S extends z.ZodType>(schema: S, path: string): Promise<z.infer<S>>;
  /** A link the device sent, as a path on that device (refuses other origins, `..`, encoded separators). */
  link(raw: string): string;
}

/**
 * Reads the service root, the Manager, and the two Dell services it links (4 GETs, once per iDRAC session).
 * Every path the device names goes through `io.link`: a path elsewhere is refused, never followed.
 */
export async function discoverServiceMap(io: DiscoveryIo): Promise<RedfishServiceMap> {
  const root = await io.get(ServiceRootFeatures, '/redfish/v1');
  const mgr = await io.get(ManagerOemLinks, MANAGER);
  const dell = mgr.Links?.Oem?.Dell;
  const fallbacks: string[] = [];
  const linked = (name: 'Jobs' | 'DellLCService' | 'DellJobService', fallback: string): string => {
    const ref = dell?.[name]?.['@odata.id'];
    if (ref === undefined) {
      fallbacks.push(name);
      return fallback;
    }
    return io.link(ref);
  };
  const jobs = linked('Jobs', DEFAULT_LAYOUT.jobs);
  const lcService = linked('DellLCService', DEFAULT_LAYOUT.lcService);
  const jobService = linked('DellJobService', DEFAULT_LAYOUT.jobService);
  const serviceAction = async (service: string, name: string): Promise<string> => {
    const svc = await io.get(OemService, service);
    const target = actionTarget(svc.Actions, `#${name}`, io.device);
    if (target === undefined) {
      fallbacks.push(name);
      return `${service}/Actions/${name}`;
    }
    return io.link(target);
  };
  const lcStatusAction = await serviceAction(lcService, 'DellLCService.GetRemoteServicesAPIStatus');
  const deleteJobQueueAction = await serviceAction(jobService, 'DellJobService.DeleteJobQueue');
  const exportRaw = exportTarget(mgr.Actions?.Oem, io.device);
  if (exportRaw === undefined) fallbacks.push('ExportSystemConfiguration');
  return {
    jobs,
    lcStatusAction,
    deleteJobQueueAction,
    exportScpAction: exportRaw === undefined ? DEFAULT_LAYOUT.exportScpAction : io.link(exportRaw),
    expand: expandFor(root),
    fallbacks,
  };
}
