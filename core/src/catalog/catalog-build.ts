import type { CatalogComponent, Criticality } from './catalog.schema';

/** What a generated catalog entry needs; the rest of a CatalogComponent is optional here. */
export type CatalogEntryInput = Pick<
  CatalogComponent,
  'path' | 'name' | 'vendorVersion' | 'devices' | 'systemIds'
> &
  Partial<Omit<CatalogComponent, 'path' | 'name' | 'vendorVersion' | 'devices' | 'systemIds'>>;

const CRITICALITY_VALUE: Record<Criticality, string> = { Optional: '0', Recommended: '1', Urgent: '2' };

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const attrs = (a: Record<string, string | undefined>): string =>
  Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(v as string)}"`)
    .join('');
const display = (s: string): string =>
  `<Display lang="en"><![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]></Display>`;

/**
 * Write a catalog in Dell's Catalog.xml layout (Manifest / SoftwareComponent / SupportedDevices /
 * SupportedSystems / Criticality / Cryptography). Used by the lab's repository and by tests; the
 * output round-trips through parseCatalogXml.
 */
export function buildCatalogXml(opts: {
  baseLocation?: string;
  protocols?: string[];
  version?: string;
  releaseId?: string;
  dateTime?: string;
  components: readonly CatalogEntryInput[];
}): string {
  const out: string[] = ['<?xml version="1.0" encoding="utf-8"?>'];
  out.push(
    `<Manifest${attrs({
      baseLocation: opts.baseLocation,
      baseLocationAccessProtocols: opts.protocols?.join(','),
      dateTime: opts.dateTime,
      identifier: 'rackops-generated',
      releaseID: opts.releaseId,
      version: opts.version,
    })}>`,
  );
  for (const c of opts.components) {
    out.push(
      `  <SoftwareComponent${attrs({
        schemaVersion: '2.0',
        releaseID: c.releaseId,
        hashMD5: c.hashMd5,
        path: c.path,
        releaseDate: c.releaseDate,
        vendorVersion: c.vendorVersion,
        dellVersion: c.dellVersion ?? c.vendorVersion,
        packageType: c.packageType ?? 'LWXP',
        rebootRequired: String(c.rebootRequired ?? true),
        size: c.size === undefined ? undefined : String(c.size),
      })}>`,
    );
    out.push(`    <Name>${display(c.name)}</Name>`);
    if (c.componentType)
      out.push(
        `    <ComponentType value="${esc(c.componentType)}">${display(c.componentType)}</ComponentType>`,
      );
    out.push('    <SupportedDevices>');
    for (const d of c.devices) {
      const pci = d.pci
        .map(
          (p) =>
            `<PCIInfo${attrs({ deviceID: p.deviceId, subDeviceID: p.subDeviceId, subVendorID: p.subVendorId, vendorID: p.vendorId })}/>`,
        )
        .join('');
      out.push(
        `      <Device${attrs({ componentID: d.componentId, embedded: '1' })}>${display(d.name ?? c.name)}${pci}</Device>`,
      );
    }
    out.push('    </SupportedDevices>');
    out.push('    <SupportedSystems>');
    out.push(`      <Brand key="3" prefix="PE">${display('PowerEdge')}`);
    for (const s of c.systemIds)
      out.push(`        <Model systemID="${esc(s)}" systemIDType="BIOS">${display(s)}</Model>`);
    out.push('      </Brand>');
    out.push('    </SupportedSystems>');
    const crit = c.criticality ?? 'Recommended';
    out.push(`    <Criticality value="${CRITICALITY_VALUE[crit]}">${display(crit)}</Criticality>`);
    if (c.sha256)
      out.push(`    <Cryptography><Hash algorithm="SHA256">${esc(c.sha256)}</Hash></Cryptography>`);
    out.push('  </SoftwareComponent>');
  }
  out.push('</Manifest>');
  return `${out.join('\n')}\n`;
}
