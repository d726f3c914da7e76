import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { readFilterSpec } from '../src/vcenter/soap/decode';
import { faultEnvelope, requestMethod, responseEnvelope, toBuilder } from '../src/vcenter/soap/envelope';
import { invalidLogin } from '../src/vcenter/soap/faults';
import { arr, bool, en, int, mor, obj, str } from '../src/vcenter/soap/vim-value';
import { child, parseXml } from '../src/vcenter/soap/xml-tree';

const parse = (xml: string) =>
  new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false }).parse(
    xml,
  ) as Record<string, Record<string, Record<string, unknown>>>;

describe('vim25 SOAP encoding', () => {
  it('reads a request whatever prefixes the client uses, keeping xsi:type apart from a moref type', () => {
    const env = parseXml(
      `<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" xmlns:v="urn:vim25" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><S:Body><v:RetrievePropertiesEx><v:_this type="PropertyCollector">propertyCollector</v:_this><v:specSet><v:propSet><v:type>HostSystem</v:type><v:pathSet>name</v:pathSet></v:propSet><v:objectSet><v:obj type="ContainerView">session[a]b</v:obj><v:skip>true</v:skip><v:selectSet i:type="TraversalSpec"><v:name>t</v:name><v:type>ContainerView</v:type><v:path>view</v:path></v:selectSet></v:objectSet></v:specSet></v:RetrievePropertiesEx></S:Body></S:Envelope>`,
    );
    const method = requestMethod(env)!;
    expect(method.name).toBe('RetrievePropertiesEx');
    const spec = readFilterSpec(child(method, 'specSet')!);
    expect(spec.objectSet[0]).toEqual({
      obj: { type: 'ContainerView', value: 'session[a]b' },
      skip: true,
      selectSet: [
        { name: 't', traversal: { type: 'ContainerView', path: 'view', skip: false }, selectSet: [] },
      ],
    });
    expect(spec.propSet).toEqual([{ type: 'HostSystem', all: false, pathSet: ['name'] }]);
  });

  it('writes property values with xsi:type, morefs with type, arrays as ArrayOfX, and escapes text', () => {
    const xml = responseEnvelope('RetrievePropertiesEx', {
      objects: {
        obj: toBuilder(mor('VirtualMachine', 'vm-1'), false),
        propSet: [
          { name: 'name', val: toBuilder(str('db <primary> & co'), true) },
          { name: 'runtime.powerState', val: toBuilder(en('VirtualMachinePowerState', 'poweredOn'), true) },
          {
            name: 'host',
            val: toBuilder(arr('ManagedObjectReference', [mor('HostSystem', 'host-1')]), true),
          },
          {
            name: 'summary.config',
            val: toBuilder(
              obj('VirtualMachineConfigSummary', { numCpu: int(2), template: bool(false) }),
              true,
            ),
          },
        ],
      },
    });
    expect(xml).toContain('<val xsi:type="xsd:string">db &lt;primary&gt; &amp; co</val>');
    expect(xml).toContain('<val xsi:type="VirtualMachinePowerState">poweredOn</val>');
    expect(xml).toContain(
      '<val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="HostSystem">host-1</ManagedObjectReference></val>',
    );
    expect(xml).toContain(
      '<val xsi:type="VirtualMachineConfigSummary"><numCpu>2</numCpu><template>false</template></val>',
    );
    const body = parse(xml)['soapenv:Envelope']!['soapenv:Body']!;
    expect(body.RetrievePropertiesExResponse).toBeDefined();
  });

  it('writes a fault as soapenv:Fault with a typed detail element', () => {
    const xml = faultEnvelope(invalidLogin());
    const fault = parse(xml)['soapenv:Envelope']!['soapenv:Body']!['soapenv:Fault'] as Record<
      string,
      unknown
    >;
    expect(fault.faultcode).toBe('ServerFaultCode');
    expect(fault.faultstring).toBe('Cannot complete login due to an incorrect user name or password.');
    expect(fault.detail).toEqual({
      InvalidLoginFault: { '@_xmlns': 'urn:vim25', '@_xsi:type': 'InvalidLogin' },
    });
  });
});
