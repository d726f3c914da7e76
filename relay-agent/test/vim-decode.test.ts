import { describe, expect, it } from 'vitest';
import { decodeObjectContent, decodeVim } from '../src/vsphere/vim-decode';
import { fieldType, PROPERTY_TYPES, VIM_TYPES } from '../src/vsphere/vim-types';
import { child, children, parseXml } from '../src/vsphere/xml';

/** A RetrievePropertiesEx answer with the XML Schema instance namespace bound to `prefix`. */
const answer = (prefix: string, val: string) => `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:${prefix}="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects>
<obj type="ClusterComputeResource">domain-c1</obj>
<propSet><name>host</name><val ${prefix}:type="ArrayOfManagedObjectReference">
<ManagedObjectReference type="HostSystem">host-1</ManagedObjectReference>
<ManagedObjectReference type="HostSystem">host-2</ManagedObjectReference></val></propSet>
<propSet><name>configurationEx</name><val ${prefix}:type="ClusterConfigInfoEx">${val}</val></propSet>
</objects></returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>`;

const decode = (xml: string) => {
  const env = parseXml(xml, 'test');
  const objects = children(
    child(child(child(env, 'Body'), 'RetrievePropertiesExResponse'), 'returnval'),
    'objects',
  );
  return decodeObjectContent(objects[0]!);
};

const policy = (prefix: string) =>
  `<dasConfig><enabled>true</enabled><admissionControlPolicy ${prefix}:type="ClusterFailoverLevelAdmissionControlPolicy"><failoverLevel>1</failoverLevel></admissionControlPolicy></dasConfig>`;

describe('vim25 decoding resolves namespaces (issue 19, defect 1)', () => {
  for (const prefix of ['xsi', 'XMLSchema-instance', 'i']) {
    it(`reads lists of references and typed objects with the instance namespace bound to "${prefix}"`, () => {
      const o = decode(answer(prefix, policy(prefix)));
      expect(o.props.host).toEqual([
        { type: 'HostSystem', value: 'host-1' },
        { type: 'HostSystem', value: 'host-2' },
      ]);
      const das = (o.props.configurationEx as { dasConfig: Record<string, unknown> }).dasConfig;
      expect(das.admissionControlPolicy).toEqual({
        _type: 'ClusterFailoverLevelAdmissionControlPolicy',
        failoverLevel: '1',
      });
    });
  }

  it('does not take a prefix spelled "xsi" but bound elsewhere for the instance namespace', () => {
    const xml = `<r xmlns:xsi="urn:other"><val xsi:type="ArrayOfManagedObjectReference"><a type="HostSystem">h</a></val></r>`;
    const val = child(parseXml(xml, 'test'), 'val');
    expect(val?.attrs['xsi:type']).toBeUndefined();
  });

  it('resolves a type name whose prefix is bound to vim25 or XML Schema', () => {
    const xml = `<r xmlns:q="http://www.w3.org/2001/XMLSchema-instance" xmlns:v="urn:vim25" xmlns:s="http://www.w3.org/2001/XMLSchema"><a q:type="v:ArrayOfString"><string>x</string></a><b q:type="s:int">4</b></r>`;
    const root = parseXml(xml, 'test');
    expect(decodeVim(child(root, 'a')!)).toEqual(['x']);
    expect(child(root, 'b')?.attrs['xsi:type']).toBe('xsd:int');
  });
});

describe('empty elements decode per the declared type (issue 19, defect 4)', () => {
  it('<dasConfig/> is an empty ClusterDasConfigInfo, not an empty string', () => {
    const o = decode(answer('xsi', '<dasConfig/><drsConfig><enabled>true</enabled></drsConfig>'));
    const ex = o.props.configurationEx as Record<string, unknown>;
    expect(ex.dasConfig).toEqual({});
    expect(ex.drsConfig).toEqual({ enabled: 'true' });
  });

  it('a list field with one element is a list, an empty list field is an empty list', () => {
    const o = decode(
      answer(
        'xsi',
        '<rule xsi:type="ClusterAffinityRuleSpec"><name>r</name><vm type="VirtualMachine">vm-1</vm></rule>',
      ),
    );
    const ex = o.props.configurationEx as { rule: { vm: unknown }[] };
    expect(ex.rule).toHaveLength(1);
    expect(ex.rule[0]?.vm).toEqual([{ type: 'VirtualMachine', value: 'vm-1' }]);
  });

  it('an empty string stays an empty string', () => {
    const root = parseXml('<r><name/></r>', 'test');
    expect(decodeVim(child(root, 'name')!, 'xsd:string')).toBe('');
  });
});

describe('the decoder table follows the vim25 WSDL for every type it reads', () => {
  it('lists each data object type read and its fields', () => {
    const listing = Object.fromEntries(
      Object.entries(VIM_TYPES).map(([t, d]) => [t, Object.keys(d.fields).sort().join(',')]),
    );
    expect(listing).toEqual({
      ClusterConfigInfoEx: 'dasConfig,drsConfig,group,rule',
      ClusterDasConfigInfo:
        'admissionControlEnabled,admissionControlPolicy,enabled,failoverLevel,heartbeatDatastore,hostMonitoring,option,vmMonitoring',
      ClusterDasAdmissionControlPolicy: '',
      ClusterFailoverLevelAdmissionControlPolicy: 'failoverLevel',
      ClusterFailoverResourcesAdmissionControlPolicy:
        'autoComputePercentages,cpuFailoverResourcesPercent,failoverLevel,memoryFailoverResourcesPercent',
      ClusterFailoverHostAdmissionControlPolicy: 'failoverHosts,failoverLevel',
      ClusterDrsConfigInfo: 'defaultVmBehavior,enableVmBehaviorOverrides,enabled,option,vmotionRate',
      ClusterRuleInfo: 'enabled,inCompliance,key,mandatory,name,ruleUuid,status,userCreated',
      ClusterAffinityRuleSpec: 'vm',
      ClusterAntiAffinityRuleSpec: 'vm',
      ClusterVmHostRuleInfo: 'affineHostGroupName,antiAffineHostGroupName,vmGroupName',
      ClusterGroupInfo: 'name,uniqueID,userCreated',
      ClusterVmGroup: 'vm',
      ClusterHostGroup: 'host',
      OptionValue: 'key,value',
      CustomFieldDef: 'key,managedObjectType,name,type',
      CustomFieldValue: 'key',
      CustomFieldStringValue: 'value',
      HostSystemInfo: 'model,otherIdentifyingInfo,serialNumber,uuid,vendor',
      HostSystemIdentificationInfo: 'identifierType,identifierValue',
      Description: 'label,summary',
      ElementDescription: 'key',
      VirtualDevice: 'backing,connectable,controllerKey,deviceInfo,key,unitNumber',
      VirtualDeviceBackingInfo: '',
      VirtualDeviceFileBackingInfo: 'datastore,fileName',
      VirtualCdromIsoBackingInfo: '',
      VirtualDeviceConnectInfo: 'allowGuestControl,connected,startConnected,status',
      VAppProductInfo: 'key,name,vendor,version',
      DatastoreHostMount: 'key,mountInfo',
      HostMountInfo: 'accessMode,accessible,mounted,path',
      TaskInfo:
        'cancelable,cancelled,descriptionId,entity,entityName,error,key,name,progress,result,state,task',
      LocalizedMethodFault: 'fault,localizedMessage',
      MethodFault: 'faultMessage',
      LocalizableMessage: 'key,message',
      MissingProperty: 'fault,path',
    });
  });

  it('every type a field or property names is a leaf, a moref or a type of the table', () => {
    const named = [
      ...Object.values(VIM_TYPES).flatMap((d) => Object.values(d.fields)),
      ...Object.values(PROPERTY_TYPES).flatMap((p) => Object.values(p)),
      ...Object.values(VIM_TYPES).flatMap((d) => (d.base ? [d.base] : [])),
    ].map((t) => t.replace(/\[\]$/, ''));
    const unknown = named.filter(
      (t) => !t.startsWith('xsd:') && t !== 'ManagedObjectReference' && VIM_TYPES[t] === undefined,
    );
    expect(unknown).toEqual([]);
  });

  it('a subtype inherits the fields of its base', () => {
    expect(fieldType('ClusterAffinityRuleSpec', 'name')).toBe('xsd:string');
    expect(fieldType('VirtualCdromIsoBackingInfo', 'fileName')).toBe('xsd:string');
  });
});
