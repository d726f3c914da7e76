import { open, realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import type { NfsDatastoreState } from '../world/types';
import { VimFaultError } from './soap/faults';
import { str } from './soap/vim-value';

/** What RegisterVM_Task takes from a `.vmx`: vSphere reads the same keys. */
export interface VmxFacts {
  readonly displayName: string | undefined;
  readonly memoryMiB: number;
  readonly numCpu: number;
  readonly biosUuid: string | undefined;
  readonly instanceUuid: string | undefined;
  readonly networkName: string | undefined;
}

const MAX_VMX_BYTES = 64 * 1024;
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9 ._()+-]{0,127}$/;

const invalidPath = (path: string) =>
  new VimFaultError('InvalidDatastorePath', `Invalid datastore path '${path}'.`, {
    datastorePath: str(path),
  });
const notFound = (path: string) => new VimFaultError('NotFound', `File ${path} was not found`);

/**
 * Resolves `[ds] dir/name.vmx` to a file inside the datastore's directory. The path comes from a
 * client: every segment is checked and the real path must stay inside the datastore (no `..`, no symlink out).
 */
export async function resolveVmxPath(
  path: string,
  datastores: readonly NfsDatastoreState[],
): Promise<{ datastore: NfsDatastoreState; file: string }> {
  const m = /^\[([^\]]{1,80})\] (.{1,400})$/.exec(path);
  if (!m) throw invalidPath(path);
  const rel = (m[2] as string).split('/');
  if (!rel.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..') || !path.endsWith('.vmx')) {
    throw invalidPath(path);
  }
  const datastore = datastores.find((d) => d.name === m[1]);
  // Only NFS datastores have files in the lab; vSphere answers NotFound for a file it cannot see.
  if (!datastore) throw notFound(path);
  let file: string;
  let root: string;
  try {
    root = await realpath(datastore.localDir);
    file = await realpath(`${datastore.localDir}/${rel.join('/')}`);
  } catch {
    throw notFound(path);
  }
  if (!file.startsWith(root + sep)) throw invalidPath(path);
  return { datastore, file };
}

/** Reads and parses a `.vmx` (at most 64 KiB; `key = "value"` lines). */
export async function readVmx(file: string, path: string): Promise<VmxFacts> {
  const fh = await open(file, 'r');
  let text: string;
  try {
    const buf = Buffer.alloc(MAX_VMX_BYTES + 1);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead > MAX_VMX_BYTES) throw invalidVmx(path, 'larger than 64 KiB');
    text = buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
  return parseVmx(text, path);
}

const invalidVmx = (path: string, why: string) =>
  new VimFaultError('InvalidVmConfig', `The configuration file ${path} is not valid: ${why}.`);

export function parseVmx(text: string, path: string): VmxFacts {
  const kv = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const m = /^\s*([A-Za-z0-9_.:]+)\s*=\s*"([^"]*)"\s*$/.exec(line);
    if (!m) throw invalidVmx(path, `unreadable line '${line.slice(0, 60)}'`);
    kv.set((m[1] as string).toLowerCase(), m[2] as string);
  }
  const int = (key: string, fallback: number, max: number) => {
    const v = kv.get(key);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max) throw invalidVmx(path, `${key} = "${v}"`);
    return n;
  };
  return {
    displayName: kv.get('displayname'),
    memoryMiB: int('memsize', 1024, 24 * 1024 * 1024),
    numCpu: int('numvcpus', 1, 768),
    biosUuid: vmxUuid(kv.get('uuid.bios'), path),
    instanceUuid: vmxUuid(kv.get('vc.uuid'), path),
    networkName: kv.get('ethernet0.networkname'),
  };
}

/** `56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc` → `564d1234-5678-9abc-def0-123456789abc`. */
function vmxUuid(v: string | undefined, path: string): string | undefined {
  if (v === undefined) return undefined;
  const hex = v.replace(/[ -]/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw invalidVmx(path, `uuid '${v}'`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A minimal `.vmx` for a VM: what a replica carries and RegisterVM_Task reads back (tests and the lab's NFS datastores). */
export function formatVmx(vm: {
  name: string;
  memoryMiB: number;
  numCpu: number;
  biosUuid: string;
  instanceUuid: string;
  networkName: string;
}): string {
  const spaced = (u: string) => {
    const h = u.replace(/-/g, '');
    const bytes = h.match(/../g) ?? [];
    return `${bytes.slice(0, 8).join(' ')}-${bytes.slice(8).join(' ')}`;
  };
  return [
    '.encoding = "UTF-8"',
    'config.version = "8"',
    'virtualHW.version = "19"',
    `displayName = "${vm.name}"`,
    `memSize = "${vm.memoryMiB}"`,
    `numvcpus = "${vm.numCpu}"`,
    `uuid.bios = "${spaced(vm.biosUuid)}"`,
    `vc.uuid = "${spaced(vm.instanceUuid)}"`,
    'ethernet0.virtualDev = "vmxnet3"',
    `ethernet0.networkName = "${vm.networkName}"`,
    `scsi0:0.fileName = "${vm.name}.vmdk"`,
    '',
  ].join('\n');
}
