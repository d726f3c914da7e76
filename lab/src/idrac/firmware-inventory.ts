import type { Capture } from './capture';
import { type ComponentTemplate, FW_INVENTORY, memberId, parseMemberId } from '../world/firmware';
import type { HostState } from '../world/types';

type Status = 'Installed' | 'Current' | 'Previous';
type Json = Record<string, unknown>;

const DELL_OEM = `${FW_INVENTORY}/Oem/Dell/DellSoftwareInventory`;

interface Member {
  status: Status;
  component: ComponentTemplate;
  version: string;
  installedAt?: string;
}

/** The host's FirmwareInventory members: Installed for all, Current where iDRAC reports it, Previous after an update. */
function members(components: readonly ComponentTemplate[], host: HostState): Member[] {
  const out: Member[] = [];
  for (const c of components) {
    const fw = host.firmware.get(c.fqdd)!;
    out.push({ status: 'Installed', component: c, version: fw.version, installedAt: fw.installedAt });
    if (c.currentTemplatePath)
      out.push({ status: 'Current', component: c, version: fw.version, installedAt: fw.installedAt });
    if (fw.previousVersion && fw.previousVersion !== fw.version) {
      out.push({ status: 'Previous', component: c, version: fw.previousVersion });
    }
  }
  return out;
}

const idOf = (m: Member) => memberId(m.status, m.component, m.version);

/** `DCIM:INSTALLED_0x23_741__BIOS.Setup.1-1` -> the same for another status. */
function dcimId(capture: Capture, c: ComponentTemplate, status: Status): string {
  const t = capture.json(c.templatePath) as { Oem: { Dell: { DellSoftwareInventory: { Id: string } } } };
  return t.Oem.Dell.DellSoftwareInventory.Id.replace(/^DCIM:INSTALLED/, `DCIM:${status.toUpperCase()}`);
}

function versionParts(
  v: string,
): { MajorVersion: number; MinorVersion: number; RevisionNumber: number } | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  if (!m) return undefined;
  return { MajorVersion: Number(m[1]), MinorVersion: Number(m[2]), RevisionNumber: Number(m[3] ?? 0) };
}

function renderMember(capture: Capture, m: Member): Json {
  const c = m.component;
  const templatePath =
    (m.status === 'Current' && c.currentTemplatePath) ||
    (m.status === 'Previous' && c.previousTemplatePath) ||
    c.templatePath;
  const tVersion = parseMemberId(templatePath.split('/').pop()!)!.version;
  const j = structuredClone(capture.json(templatePath)) as Json;
  const id = idOf(m);
  const path = `${FW_INVENTORY}/${id}`;
  j['@odata.id'] = path;
  j.Id = id;
  j.Version = m.version;
  if (typeof j.Name === 'string') j.Name = j.Name.replaceAll(tVersion, m.version);
  const dell = (j.Oem as { Dell: { DellSoftwareInventory: Json } }).Dell.DellSoftwareInventory;
  const did = dcimId(capture, c, m.status);
  dell['@odata.id'] = `${path}/Oem/Dell/DellSoftwareInventory/${did}`;
  dell.Id = did;
  if (typeof dell.ElementName === 'string')
    dell.ElementName = dell.ElementName.replaceAll(tVersion, m.version);
  if (m.status === 'Previous') {
    dell.Status = 'AvailableForInstallation';
    dell.InstallationDate = 'NA';
  } else {
    dell.Status = 'Installed';
    if (m.version !== c.capturedVersion && m.installedAt)
      dell.InstallationDate = m.installedAt.replace(/\.\d+Z$/, 'Z');
  }
  const parts = versionParts(m.version);
  if (parts && typeof dell.MajorVersion === 'number') Object.assign(dell, parts);
  return j;
}

/**
 * GET under `/redfish/v1/UpdateService/FirmwareInventory`, or undefined when the path is not
 * one of this host's resources.
 */
export function renderFirmwareInventory(
  capture: Capture,
  components: readonly ComponentTemplate[],
  host: HostState,
  path: string,
): Json | undefined {
  const all = members(components, host);
  if (path === FW_INVENTORY) {
    const j = structuredClone(capture.json(FW_INVENTORY)) as Json;
    const ids = all.map(idOf).sort();
    j.Members = ids.map((id) => ({ '@odata.id': `${FW_INVENTORY}/${id}` }));
    j['Members@odata.count'] = ids.length;
    return j;
  }
  const rest = path.slice(FW_INVENTORY.length + 1);
  const dellSub = /^(?:(.+?)\/)?Oem\/Dell\/DellSoftwareInventory\/(DCIM:.+)$/.exec(rest);
  if (dellSub) {
    const [, owner, did] = dellSub;
    const m = all.find(
      (x) => dcimId(capture, x.component, x.status) === did && (!owner || idOf(x) === owner),
    );
    if (!m) return undefined;
    const dell = (renderMember(capture, m).Oem as { Dell: { DellSoftwareInventory: Json } }).Dell
      .DellSoftwareInventory;
    // The captured sub-resource names itself by the collection-level path.
    dell['@odata.id'] = `${DELL_OEM}/${did}`;
    return dell;
  }
  const m = all.find((x) => idOf(x) === rest);
  return m ? renderMember(capture, m) : undefined;
}
