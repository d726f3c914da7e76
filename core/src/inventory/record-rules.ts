import type { z } from 'zod';
import {
  Cluster,
  Datastore,
  FirmwareComponent,
  INVENTORY_TYPES,
  Network,
  Vcenter,
  Vm,
} from './inventory.schema';
import { firmwareRecordId, type InventoryType, PageHost, PageServer } from './sync-page.schema';

/** Alias records that link a Dell chassis serial to its service tag (host ↔ server by serial). */
export const SERVER_SERIAL_TYPE = 'server-serial';

interface RecordRule {
  schema: z.ZodType<Record<string, unknown>>;
  /** Record id of a validated item within its group. */
  id(item: Record<string, unknown>, parent: string): string;
  /** The parent the item itself claims (checked against the group's parent); undefined = not checked. */
  declaredParent?(item: Record<string, unknown>): string | undefined;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const byId = (item: Record<string, unknown>): string => str(item.id);

/** How each inventory type is validated, keyed and attached to its parent. */
export const RECORD_RULES: Record<InventoryType, RecordRule> = {
  vcenter: { schema: Vcenter, id: byId, declaredParent: byId },
  cluster: { schema: Cluster, id: byId, declaredParent: (i) => str(i.vcenterId) },
  host: {
    schema: PageHost,
    id: byId,
    declaredParent: (i) => (typeof i.clusterId === 'string' ? i.clusterId : str(i.vcenterId)),
  },
  vm: { schema: Vm, id: byId, declaredParent: (i) => str(i.hostId) },
  datastore: { schema: Datastore, id: byId, declaredParent: (i) => str(i.vcenterId) },
  network: { schema: Network, id: byId, declaredParent: (i) => str(i.vcenterId) },
  server: { schema: PageServer, id: (i) => str(i.serviceTag) },
  firmware: { schema: FirmwareComponent, id: (i, parent) => firmwareRecordId(parent, str(i.id)) },
};

/** Children stored under a record of each type: marked gone with their parent. */
export const CHILD_TYPES: Partial<Record<InventoryType, InventoryType[]>> = {
  vcenter: [
    INVENTORY_TYPES.cluster,
    INVENTORY_TYPES.host,
    INVENTORY_TYPES.datastore,
    INVENTORY_TYPES.network,
  ],
  cluster: [INVENTORY_TYPES.host],
  host: [INVENTORY_TYPES.vm],
  server: [INVENTORY_TYPES.firmware],
};

/**
 * Best-effort id of an item that failed validation, so the stored record is left alone (not marked
 * gone) instead of vanishing because the device sent one bad field.
 */
export function looseId(type: InventoryType, raw: unknown, parent: string): string | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const item = raw as Record<string, unknown>;
  const id = type === 'server' ? item.serviceTag : item.id;
  if (typeof id !== 'string' || id === '') return undefined;
  return type === 'firmware' ? firmwareRecordId(parent, id) : id;
}
