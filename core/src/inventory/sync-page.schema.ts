import { z } from 'zod';
import { RunTotals } from './drop-guard';
import { INVENTORY_TYPES, Server, Host } from './inventory.schema';

/**
 * One page of a streamed inventory sync, carried as `page` on a relay `progress` message
 * (core/src/relay/result.schema.ts) and handed to `ingestInventoryPage`.
 *
 * The contract that keeps ingestion stateless and memory flat: every group is the COMPLETE set of
 * children of one parent for one record type (all VMs of one host, all hosts of one cluster...).
 * "Gone" is then computed per group — stored children of that parent missing from the group — so
 * pages may be ingested in any order, twice, or concurrently, without holding a whole run in memory.
 * A parent's children are therefore never split across pages; a producer keeps a page small by
 * putting fewer groups in it, not by cutting a group.
 *
 * A group the producer could not read in full says so (`complete: false`): its items are written, its
 * vanished children are not computed. A run much smaller than the last good one holds every gone-mark until
 * an operator confirms (drop-guard.ts).
 *
 * Items are deliberately `unknown` here: each item is validated on its own at ingestion, so one bad
 * item from a device (missing fields, wrong types) becomes a warning on the sync job instead of
 * failing the whole page. Unknown `type`s are warnings too.
 *
 * Parent keys and ids (producers use the helpers below so both sides agree):
 * | type        | item schema               | record id                       | group parent                      |
 * |-------------|---------------------------|---------------------------------|-----------------------------------|
 * | `vcenter`   | Vcenter                   | `vcenter.id`                    | the vCenter id itself             |
 * | `cluster`   | Cluster                   | `vcObjectId(vcenterId, moref)`  | vCenter id                        |
 * | `host`      | PageHost                  | service tag (canonical host id) | cluster id, or vCenter id if standalone |
 * | `vm`        | Vm                        | `vcObjectId(vcenterId, moref)`  | host id                           |
 * | `datastore` | Datastore                 | `vcObjectId(vcenterId, moref)`  | vCenter id                        |
 * | `network`   | Network                   | `vcObjectId(vcenterId, moref)`  | vCenter id                        |
 * | `server`    | PageServer                | service tag                     | `serverParent(source, sourceId)`  |
 * | `firmware`  | FirmwareComponent         | `firmwareRecordId(tag, item.id)`| service tag                       |
 */

export const SyncSource = z.enum(['vcenter', 'ome', 'idrac']);
export type SyncSource = z.infer<typeof SyncSource>;

/** Upper bound of items in one group; a host has at most 1024 VMs (ESXi limit), a cluster 96 hosts. */
export const MAX_GROUP_ITEMS = 5000;

export const InventoryGroup = z.object({
  /** A value of INVENTORY_TYPES; anything else is reported as a warning and skipped. */
  type: z.string().min(1).max(64),
  parent: z.string().min(1).max(400),
  items: z.array(z.unknown()).max(MAX_GROUP_ITEMS),
  /**
   * False when the producer could not read every child of this parent (an object failed validation): the
   * items are written, but nothing stored under the parent is marked gone on the strength of this group.
   */
  complete: z.boolean().default(true),
});
export type InventoryGroup = z.infer<typeof InventoryGroup>;
export type InventoryGroupInput = z.input<typeof InventoryGroup>;

export const InventoryPage = z.object({
  v: z.literal(1),
  source: SyncSource,
  /** The vCenter / OME instance / host (iDRAC) this run reads. */
  sourceId: z.string().min(1).max(200),
  /** Unique per sync run (the relay command id); pages of one run share it. */
  runId: z.string().min(1).max(200),
  /** 0-based page number within the run. */
  seq: z.number().int().nonnegative(),
  /** True on the run's final page. */
  last: z.boolean(),
  groups: z.array(InventoryGroup),
  /**
   * The whole run's size by record type, known before the first page (the producer reads, then streams); the
   * drop guard compares it with the last good run (drop-guard.ts). Absent: no guard for this run.
   */
  totals: RunTotals.optional(),
  /** Problems the producer saw while reading the device (recorded as job warnings). */
  warnings: z.array(z.string().max(1000)).max(200).default([]),
});
export type InventoryPage = z.infer<typeof InventoryPage>;
export type InventoryPageInput = z.input<typeof InventoryPage>;

/**
 * A host as a page carries it. `id` must be the Dell service tag when the source reports one (vSphere
 * `hardware.systemInfo.otherIdentifyingInfo` ServiceTag, else `systemInfo.serialNumber`, which on
 * Dell hardware is the service tag); `serialNumber` is whatever vSphere calls the serial, used to link
 * the host to a Dell server whose chassis serial differs from its service tag.
 */
export const PageHost = Host.extend({ serialNumber: z.string().optional() });
export type PageHost = z.infer<typeof PageHost>;

/** A Dell server as a page carries it; `serialNumber` is the chassis serial (Redfish `SerialNumber`). */
export const PageServer = Server.extend({ serialNumber: z.string().optional() });
export type PageServer = z.infer<typeof PageServer>;

export type InventoryType = (typeof INVENTORY_TYPES)[keyof typeof INVENTORY_TYPES];
export const INVENTORY_TYPE_VALUES = Object.values(INVENTORY_TYPES) as InventoryType[];
export const isInventoryType = (t: string): t is InventoryType =>
  (INVENTORY_TYPE_VALUES as string[]).includes(t);

/** Id of a vCenter managed object (cluster, VM, datastore, network): unique across vCenters. */
export const vcObjectId = (vcenterId: string, moref: string): string => `${vcenterId}/${moref}`;

/** Record id of a firmware component: Redfish member ids repeat on every server. */
export const firmwareRecordId = (serviceTag: string, memberId: string): string => `${serviceTag}/${memberId}`;

/** Parent of server records: the source that reported them. */
export const serverParent = (source: SyncSource, sourceId: string): string => `${source}:${sourceId}`;

/** Host id fallback when a host reports no service tag (not linkable to a Dell server). */
export const unlinkedHostId = (vcenterId: string, moref: string): string => `${vcenterId}/${moref}`;
