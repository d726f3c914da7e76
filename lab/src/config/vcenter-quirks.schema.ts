import { z } from 'zod';

/**
 * How one simulated vCenter departs from the lab's default (the vCenter 8.0 behaviour the clients were
 * written against). Each quirk is something a real vim25 server may do within the API contract; the lab
 * README lists each with its source. Defaults reproduce the default lab exactly.
 */
export const VcenterQuirks = z.object({
  /**
   * Prefix bound to the XML Schema instance namespace in answers (`xsi` by default). Namespaces in XML 1.0
   * makes prefixes local aliases: `XMLSchema-instance:type=` or `i:type=` (.NET) is the same attribute.
   */
  xsiPrefix: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'an XML NCName')
    .refine((p) => p !== 'xmlns', 'xmlns is not a prefix')
    .default('xsi'),
  /**
   * Data objects with no field set are written as empty elements without `xsi:type` (`<dasConfig/>`), and a
   * cluster whose HA was never configured answers such an empty `dasConfig` (the WSDL makes every field of
   * ClusterDasConfigInfo optional, minOccurs="0").
   */
  emptyElements: z.boolean().default(false),
  /** Idle sessions end after this many seconds (scaled by the lab's timeScale); vCenter's default is 30 min. */
  sessionTimeoutSeconds: z.number().positive().max(86_400).optional(),
  /**
   * How a call on an expired session is answered: a NotAuthenticated SOAP fault, or — for RetrievePropertiesEx
   * / RetrieveProperties — an answer whose objects carry a NotAuthenticated fault in `missingSet` (the
   * PropertyCollector reports per-object faults there, ObjectContent.missingSet / MissingProperty).
   */
  expiredSessionAs: z.enum(['fault', 'missingSet']).default('fault'),
  /** `RetrieveOptions.maxObjects` is a hint the server may ignore ("the server may return more or fewer"). */
  maxObjects: z.enum(['honoured', 'ignored']).default('honoured'),
  /** The server's own cap on objects per page (vCenter's is undocumented; 1000 in the default lab). */
  serverPageSize: z.number().int().positive().max(100_000).optional(),
  /**
   * ReconfigureComputeResource_Task succeeds but HA settings snap back (a host profile or another tool
   * re-applies them): only reading the settings back shows it.
   */
  revertsHaChanges: z.boolean().default(false),
  /** VM names the lab's account cannot read: their properties come back as NoPermission in `missingSet`. */
  noPermissionOn: z.array(z.string().min(1)).default([]),
  /**
   * Cluster names the lab's account has lost its permission on: container views leave them and everything
   * under them out, as vCenter shows an account only what it may see. A sync then reads a smaller estate.
   */
  hiddenClusters: z.array(z.string().min(1)).default([]),
});
export type VcenterQuirks = z.infer<typeof VcenterQuirks>;
export type VcenterQuirksInput = z.input<typeof VcenterQuirks>;

export const DEFAULT_VCENTER_QUIRKS: VcenterQuirks = VcenterQuirks.parse({});
