/** A small catalog in Dell's own layout (two languages, CDATA, PCI ids, odd casing), shared by both readers' tests. */
export const DELL_STYLE = `<?xml version="1.0" encoding="utf-16"?>
<Manifest baseLocation="downloads.example.test" baseLocationAccessProtocols="HTTPS,HTTP,FTP" dateTime="2026-10-01T10:00:00+00:00" identifier="x" releaseID="R1" version="26.10.00">
  <SoftwareComponent schemaVersion="2.0" packageID="ABC12" releaseID="ABC12" hashMD5="0123456789ABCDEF0123456789ABCDEF" path="FOLDER0001/1/BIOS_ABC12_WN64_1.9.2.EXE" releaseDate="October 01, 2026" vendorVersion="1.9.2" dellVersion="1.9.2" packageType="LWXP" rebootRequired="true" size="33554432">
    <Name><Display lang="en"><![CDATA[Dell PowerEdge R750 BIOS]]></Display><Display lang="de"><![CDATA[BIOS (de)]]></Display></Name>
    <ComponentType value="BIOS"><Display lang="en"><![CDATA[BIOS]]></Display></ComponentType>
    <SupportedDevices><Device componentID="159" embedded="1"><Display lang="en"><![CDATA[BIOS]]></Display></Device></SupportedDevices>
    <SupportedSystems>
      <Brand key="3" prefix="PE"><Display lang="en"><![CDATA[PowerEdge]]></Display>
        <Model systemID="090E" systemIDType="BIOS"><Display lang="en"><![CDATA[R750]]></Display></Model>
        <Model systemID="090f" systemIDType="BIOS"><Display lang="en"><![CDATA[R750xa]]></Display></Model>
      </Brand>
    </SupportedSystems>
    <Criticality value="2"><Display lang="en"><![CDATA[Urgent]]></Display></Criticality>
    <Cryptography><Hash algorithm="SHA1">aa</Hash><Hash algorithm="SHA256">ABCDEF00</Hash></Cryptography>
  </SoftwareComponent>
  <SoftwareComponent path="FOLDER0002/1/Network_Firmware_X.EXE" vendorVersion="20.36.10.10" rebootRequired="false">
    <Name><Display lang="en">Mellanox ConnectX-6 firmware</Display></Name>
    <SupportedDevices><Device componentID="0"><Display lang="en">CX6</Display><PCIInfo deviceID="101b" subDeviceID="0009" subVendorID="15b3" vendorID="15b3"/></Device></SupportedDevices>
    <SupportedSystems><Brand key="3" prefix="PE"><Model systemID="090E"/></Brand></SupportedSystems>
    <Criticality value="0"/>
  </SoftwareComponent>
</Manifest>`;

/** Broken catalogs and the error each must give (both readers). */
export const MALFORMED: [string, string, RegExp][] = [
  ['empty', '   ', /catalog is empty/],
  [
    'truncated',
    DELL_STYLE.slice(0, 900),
    /not well-formed XML: unclosed <Manifest>, <SoftwareComponent>.*truncated/,
  ],
  ['broken tag', DELL_STYLE.replace('</Name>', '</Nmae>'), /not well-formed XML: .*Nmae.*line 4/],
  [
    'HTML error page',
    '<html><body>404</body></html>',
    /not a Dell catalog: root element is <html>, expected <Manifest>/,
  ],
  ['no components', '<Manifest version="1"></Manifest>', /no usable SoftwareComponent/],
  [
    'only broken components',
    '<Manifest><SoftwareComponent vendorVersion="1"/></Manifest>',
    /no usable SoftwareComponent \(SoftwareComponent #1 skipped: missing path\)/,
  ],
];
