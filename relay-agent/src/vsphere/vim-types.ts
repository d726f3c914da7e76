/**
 * The vim25 WSDL types (vim.wsdl / vim-types.xsd, vSphere Web Services API 8.0) that RackOps reads, with the
 * fields it reads and their declared types: `T[]` is a field with maxOccurs="unbounded", `xsd:*` a leaf,
 * `ManagedObjectReference` a moref; anything else names a data object of this table. The decoder uses it
 * when the server does not say (`xsi:type` is only required on polymorphic and anyType positions), so an
 * empty element decodes as what the WSDL declares: `<dasConfig/>` is an empty ClusterDasConfigInfo, not ''.
 * A subtype lists only its own fields plus those of its base it is read for (`base` chains the rest).
 */
export interface VimDataType {
  readonly base?: string;
  readonly fields: Readonly<Record<string, string>>;
}

const MOR = 'ManagedObjectReference';

export const VIM_TYPES: Readonly<Record<string, VimDataType>> = {
  ClusterConfigInfoEx: {
    fields: {
      dasConfig: 'ClusterDasConfigInfo',
      drsConfig: 'ClusterDrsConfigInfo',
      rule: 'ClusterRuleInfo[]',
      group: 'ClusterGroupInfo[]',
    },
  },
  ClusterDasConfigInfo: {
    fields: {
      enabled: 'xsd:boolean',
      vmMonitoring: 'xsd:string',
      hostMonitoring: 'xsd:string',
      failoverLevel: 'xsd:int',
      admissionControlPolicy: 'ClusterDasAdmissionControlPolicy',
      admissionControlEnabled: 'xsd:boolean',
      option: 'OptionValue[]',
      heartbeatDatastore: `${MOR}[]`,
    },
  },
  ClusterDasAdmissionControlPolicy: { fields: {} },
  ClusterFailoverLevelAdmissionControlPolicy: {
    base: 'ClusterDasAdmissionControlPolicy',
    fields: { failoverLevel: 'xsd:int' },
  },
  ClusterFailoverResourcesAdmissionControlPolicy: {
    base: 'ClusterDasAdmissionControlPolicy',
    fields: {
      cpuFailoverResourcesPercent: 'xsd:int',
      memoryFailoverResourcesPercent: 'xsd:int',
      failoverLevel: 'xsd:int',
      autoComputePercentages: 'xsd:boolean',
    },
  },
  ClusterFailoverHostAdmissionControlPolicy: {
    base: 'ClusterDasAdmissionControlPolicy',
    fields: { failoverHosts: `${MOR}[]`, failoverLevel: 'xsd:int' },
  },
  ClusterDrsConfigInfo: {
    fields: {
      enabled: 'xsd:boolean',
      enableVmBehaviorOverrides: 'xsd:boolean',
      defaultVmBehavior: 'xsd:string',
      vmotionRate: 'xsd:int',
      option: 'OptionValue[]',
    },
  },
  ClusterRuleInfo: {
    fields: {
      key: 'xsd:int',
      status: 'xsd:string',
      enabled: 'xsd:boolean',
      name: 'xsd:string',
      mandatory: 'xsd:boolean',
      userCreated: 'xsd:boolean',
      inCompliance: 'xsd:boolean',
      ruleUuid: 'xsd:string',
    },
  },
  ClusterAffinityRuleSpec: { base: 'ClusterRuleInfo', fields: { vm: `${MOR}[]` } },
  ClusterAntiAffinityRuleSpec: { base: 'ClusterRuleInfo', fields: { vm: `${MOR}[]` } },
  ClusterVmHostRuleInfo: {
    base: 'ClusterRuleInfo',
    fields: {
      vmGroupName: 'xsd:string',
      affineHostGroupName: 'xsd:string',
      antiAffineHostGroupName: 'xsd:string',
    },
  },
  ClusterGroupInfo: { fields: { name: 'xsd:string', userCreated: 'xsd:boolean', uniqueID: 'xsd:string' } },
  ClusterVmGroup: { base: 'ClusterGroupInfo', fields: { vm: `${MOR}[]` } },
  ClusterHostGroup: { base: 'ClusterGroupInfo', fields: { host: `${MOR}[]` } },
  OptionValue: { fields: { key: 'xsd:string', value: 'xsd:anyType' } },
  CustomFieldDef: {
    fields: { key: 'xsd:int', name: 'xsd:string', type: 'xsd:string', managedObjectType: 'xsd:string' },
  },
  CustomFieldValue: { fields: { key: 'xsd:int' } },
  CustomFieldStringValue: { base: 'CustomFieldValue', fields: { value: 'xsd:string' } },
  HostSystemInfo: {
    fields: {
      vendor: 'xsd:string',
      model: 'xsd:string',
      uuid: 'xsd:string',
      otherIdentifyingInfo: 'HostSystemIdentificationInfo[]',
      serialNumber: 'xsd:string',
    },
  },
  HostSystemIdentificationInfo: {
    fields: { identifierValue: 'xsd:string', identifierType: 'ElementDescription' },
  },
  Description: { fields: { label: 'xsd:string', summary: 'xsd:string' } },
  ElementDescription: { base: 'Description', fields: { key: 'xsd:string' } },
  VirtualDevice: {
    fields: {
      key: 'xsd:int',
      deviceInfo: 'Description',
      backing: 'VirtualDeviceBackingInfo',
      connectable: 'VirtualDeviceConnectInfo',
      controllerKey: 'xsd:int',
      unitNumber: 'xsd:int',
    },
  },
  VirtualDeviceBackingInfo: { fields: {} },
  VirtualDeviceFileBackingInfo: {
    base: 'VirtualDeviceBackingInfo',
    fields: { fileName: 'xsd:string', datastore: MOR },
  },
  VirtualCdromIsoBackingInfo: { base: 'VirtualDeviceFileBackingInfo', fields: {} },
  VirtualDeviceConnectInfo: {
    fields: {
      startConnected: 'xsd:boolean',
      allowGuestControl: 'xsd:boolean',
      connected: 'xsd:boolean',
      status: 'xsd:string',
    },
  },
  VAppProductInfo: {
    fields: { key: 'xsd:int', name: 'xsd:string', vendor: 'xsd:string', version: 'xsd:string' },
  },
  DatastoreHostMount: { fields: { key: MOR, mountInfo: 'HostMountInfo' } },
  HostMountInfo: {
    fields: {
      path: 'xsd:string',
      accessMode: 'xsd:string',
      mounted: 'xsd:boolean',
      accessible: 'xsd:boolean',
    },
  },
  TaskInfo: {
    fields: {
      key: 'xsd:string',
      task: MOR,
      name: 'xsd:string',
      descriptionId: 'xsd:string',
      entity: MOR,
      entityName: 'xsd:string',
      state: 'xsd:string',
      cancelled: 'xsd:boolean',
      cancelable: 'xsd:boolean',
      error: 'LocalizedMethodFault',
      result: 'xsd:anyType',
      progress: 'xsd:int',
    },
  },
  LocalizedMethodFault: { fields: { fault: 'MethodFault', localizedMessage: 'xsd:string' } },
  MethodFault: { fields: { faultMessage: 'LocalizableMessage[]' } },
  LocalizableMessage: { fields: { key: 'xsd:string', message: 'xsd:string' } },
  MissingProperty: { fields: { path: 'xsd:string', fault: 'LocalizedMethodFault' } },
};

/**
 * The declared type of each property path RackOps reads, by managed object type (the WSDL's property
 * types; `val` is anyType so servers normally write `xsi:type`, this is the fallback when they do not).
 */
export const PROPERTY_TYPES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  ClusterComputeResource: {
    name: 'xsd:string',
    host: `${MOR}[]`,
    configurationEx: 'ClusterConfigInfoEx',
    availableField: 'CustomFieldDef[]',
    customValue: 'CustomFieldValue[]',
  },
  HostSystem: {
    name: 'xsd:string',
    parent: MOR,
    'runtime.connectionState': 'xsd:string',
    'runtime.inMaintenanceMode': 'xsd:boolean',
    'runtime.powerState': 'xsd:string',
    'summary.hardware.cpuMhz': 'xsd:int',
    'summary.hardware.numCpuCores': 'xsd:short',
    'summary.hardware.memorySize': 'xsd:long',
    'summary.config.product.version': 'xsd:string',
    'hardware.systemInfo': 'HostSystemInfo',
    'configManager.datastoreSystem': MOR,
    vm: `${MOR}[]`,
  },
  VirtualMachine: {
    name: 'xsd:string',
    'runtime.host': MOR,
    'runtime.powerState': 'xsd:string',
    'runtime.faultToleranceState': 'xsd:string',
    'config.hardware.device': 'VirtualDevice[]',
    'config.template': 'xsd:boolean',
    'summary.config.memorySizeMB': 'xsd:int',
    'summary.config.product': 'VAppProductInfo',
    'summary.quickStats.overallCpuUsage': 'xsd:int',
    datastore: `${MOR}[]`,
    network: `${MOR}[]`,
    'summary.config.vmPathName': 'xsd:string',
    'summary.config.instanceUuid': 'xsd:string',
    'guest.toolsRunningStatus': 'xsd:string',
    guestHeartbeatStatus: 'xsd:string',
  },
  Datacenter: { name: 'xsd:string', vmFolder: MOR },
  Datastore: {
    name: 'xsd:string',
    'summary.type': 'xsd:string',
    'summary.capacity': 'xsd:long',
    'summary.freeSpace': 'xsd:long',
    host: 'DatastoreHostMount[]',
  },
  Network: { name: 'xsd:string' },
  Task: { info: 'TaskInfo', 'info.state': 'xsd:string', 'info.progress': 'xsd:int' },
};

/** The declared type of `field` in data object `type` (following `base`), or undefined when not listed. */
export function fieldType(type: string | undefined, field: string): string | undefined {
  for (let t = type, hops = 0; t !== undefined && hops < 8; hops++) {
    const def = VIM_TYPES[t];
    if (!def) return undefined;
    const f = def.fields[field];
    if (f !== undefined) return f;
    t = def.base;
  }
  return undefined;
}

/** True for a data object type (of this table, or any non-XSD type the server names that is not an array). */
export const isDataObjectType = (t: string | undefined): boolean =>
  t !== undefined && !t.startsWith('xsd:') && !t.endsWith('[]') && !t.startsWith('ArrayOf') && t !== MOR;
