import { closeSync, openSync, writeSync } from 'node:fs';
import { mulberry32 } from '@rackops/core/util/prng';

/**
 * A full-size Dell `Catalog.xml` for the catalog bench, written as Dell publishes it: UTF-16 LE with a BOM,
 * the elements Dell writes (RevisionHistory, Category, hashes), ≈ 150
 * PowerEdge models, device packages (NICs, RAID, disks) listing PCI ids and dozens of models, platform
 * packages (BIOS, iDRAC) for a few models, several versions of each package, and SoftwareBundles listing
 * package paths. Deterministic (seeded), so runs compare.
 */
export interface FullSizeCatalog {
  bytes: number;
  components: number;
  models: string[];
}

const KINDS = [
  { type: 'BIOS', cat: 'BI', name: 'BIOS', models: [1, 3], pci: false },
  { type: 'FRMW', cat: 'LC', name: 'iDRAC with Lifecycle Controller', models: [2, 4], pci: false },
  { type: 'FRMW', cat: 'NI', name: 'Broadcom NetXtreme Firmware', models: [2, 8], pci: true },
  { type: 'FRMW', cat: 'NI', name: 'Mellanox ConnectX Firmware', models: [2, 8], pci: true },
  { type: 'FRMW', cat: 'SF', name: 'PERC H755 Controller Firmware', models: [2, 6], pci: true },
  { type: 'FRMW', cat: 'SA', name: 'Dell 960GB SSD SAS Firmware', models: [3, 10], pci: false },
  { type: 'FRMW', cat: 'PS', name: 'Power Supply Firmware', models: [2, 4], pci: false },
  { type: 'DRVR', cat: 'NI', name: 'Intel Ethernet Driver', models: [2, 8], pci: true },
] as const;

const hex = (r: () => number, n: number) =>
  Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
const display = (s: string) => `<Display lang="en"><![CDATA[${s}]]></Display>`;

/** Write the catalog to `file`; about `components` SoftwareComponents (≈ 60 MB at 18,000). */
export function writeFullSizeCatalog(file: string, components = 18_000, seed = 20): FullSizeCatalog {
  const r = mulberry32(seed);
  const models = Array.from({ length: 150 }, (_, i) =>
    (0x0800 + i * 7).toString(16).toUpperCase().padStart(4, '0'),
  );
  const fd = openSync(file, 'w');
  let bytes = 0;
  let pending: string[] = [];
  let pendingChars = 0;
  const out = (s: string) => {
    pending.push(s);
    pendingChars += s.length;
    if (pendingChars > 1 << 20) flush();
  };
  const flush = () => {
    const buf = Buffer.from(pending.join(''), 'utf16le');
    writeSync(fd, buf);
    bytes += buf.length;
    pending = [];
    pendingChars = 0;
  };
  try {
    writeSync(fd, Buffer.from([0xff, 0xfe]));
    bytes += 2;
    out('<?xml version="1.0" encoding="utf-16"?>\r\n');
    out(
      '<Manifest baseLocation="downloads.example.test" baseLocationAccessProtocols="HTTPS,HTTP" dateTime="2026-11-20T04:12:55+05:30" identifier="a1b2c3d4-0000-4000-8000-000000000020" releaseID="CTW2X" version="26.11.00" predecessorID="">\r\n',
    );
    out(
      `  <InventoryComponent schemaVersion="2.0" path="FOLDER0000001M/1/invcol_WN64.exe" osCode="WIN64" />\r\n`,
    );
    const paths: string[] = [];
    const versionsPer = 3;
    for (let i = 0; i < components; i++) {
      const family = Math.floor(i / versionsPer);
      const version = i % versionsPer;
      const kind = KINDS[family % KINDS.length] as (typeof KINDS)[number];
      const fr = mulberry32(seed * 7919 + family);
      const [lo, hi] = kind.models;
      const count = lo + Math.floor(fr() * (hi - lo + 1));
      const start = Math.floor(fr() * models.length);
      const mine = Array.from({ length: count }, (_, k) => models[(start + k * 3) % models.length] as string);
      const id = `${String.fromCharCode(65 + (family % 26))}${family.toString(36).toUpperCase().padStart(4, '0')}${version}`;
      const ver = `${1 + (family % 20)}.${version * 3 + 1}.${Math.floor(fr() * 10)}`;
      const path = `FOLDER${String(10_000_000 + i)}M/1/${kind.cat}_Firmware_${id}_WN64_${ver}_A0${version}.EXE`;
      paths.push(path);
      const componentId = kind.pci ? '0' : String(100 + (family % 5000));
      const pci = kind.pci
        ? Array.from(
            { length: 1 + Math.floor(fr() * 4) },
            () =>
              `<PCIInfo deviceID="${hex(fr, 4).toUpperCase()}" vendorID="14E4" subDeviceID="${hex(fr, 4).toUpperCase()}" subVendorID="1028" />`,
          ).join('')
        : '';
      out(
        `  <SoftwareComponent schemaVersion="2.0" releaseID="${id}" hashMD5="${hex(r, 32)}" path="${path}" dateTime="2026-0${1 + version}-14T05:12:33+05:30" releaseDate="March 14, 2026" vendorVersion="${ver}" dellVersion="A0${version}" packageType="LWXP" size="${Math.floor(r() * 5e7)}" rebootRequired="${kind.cat !== 'PS'}" packageID="${id}">\r\n`,
      );
      out(`    <Name>${display(`Dell ${kind.name} ${ver}`)}</Name>\r\n`);
      out(
        `    <ComponentType value="${kind.type}">${display(kind.type === 'DRVR' ? 'Driver' : kind.type)}</ComponentType>\r\n`,
      );
      out(`    <Category value="${kind.cat}">${display(kind.cat)}</Category>\r\n`);
      out(
        `    <SupportedDevices><Device componentID="${componentId}" embedded="1">${display(kind.name)}${pci}</Device></SupportedDevices>\r\n`,
      );
      out(`    <SupportedSystems><Brand key="3" prefix="PE">${display('PowerEdge')}`);
      for (const m of mine) out(`<Model systemID="${m}" systemIDType="BIOS">${display(`R${m}`)}</Model>`);
      out('</Brand></SupportedSystems>\r\n');
      const crit = Math.floor(fr() * 3);
      out(
        `    <Criticality value="${crit}">${display(['Optional', 'Recommended', 'Urgent'][crit] as string)}</Criticality>\r\n`,
      );
      out(`    <RevisionHistory>${display(`- Fixes after ${ver}.`)}</RevisionHistory>\r\n`);
      out(
        `    <Cryptography><Hash algorithm="md5">${hex(r, 32)}</Hash><Hash algorithm="SHA256">${hex(r, 64)}</Hash></Cryptography>\r\n`,
      );
      out('  </SoftwareComponent>\r\n');
    }
    // One bundle per model: the packages that list it (Dell groups them per model and OS).
    for (const [b, m] of models.entries()) {
      out(
        `  <SoftwareBundle schemaVersion="2.0" identifier="${hex(r, 8)}" releaseID="B${b}" bundleID="B${b}" path="" bundleType="BTW64" dateTime="2026-11-20T04:12:55+05:30" vendorVersion="26.11" size="0">\r\n`,
      );
      out(`    <Name>${display(`Systems Management for PowerEdge R${m}`)}</Name>\r\n`);
      out(
        `    <TargetSystems><Brand key="3" prefix="PE"><Model systemID="${m}" systemIDType="BIOS" /></Brand></TargetSystems>\r\n`,
      );
      out('    <Contents>');
      for (let k = b % 40; k < paths.length; k += 120) out(`<Package path="${paths[k]}" />`);
      out('</Contents>\r\n  </SoftwareBundle>\r\n');
    }
    out('</Manifest>\r\n');
    flush();
  } finally {
    closeSync(fd);
  }
  return { bytes, components, models };
}
