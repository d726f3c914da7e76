import { bool, dateTime, mor, obj, str, type Vim } from './soap/vim-value';
import { ROOT_FOLDER } from './model/morefs';

/** vCenter 8.0 U2 build numbers, per version the lab config may name. */
const BUILDS: Record<string, string> = { '8.0.2': '22385739', '8.0.3': '24022515', '7.0.3': '21958406' };

export function apiVersionOf(version: string): string {
  return `${version.split('.').slice(0, 3).join('.')}.0`;
}

export function aboutInfo(version: string, instanceUuid: string): Vim {
  const build = BUILDS[version] ?? '22385739';
  return obj('AboutInfo', {
    name: str('VMware vCenter Server'),
    fullName: str(`VMware vCenter Server ${version} build-${build}`),
    vendor: str('VMware, Inc.'),
    version: str(version),
    build: str(build),
    localeVersion: str('INTL'),
    localeBuild: str('000'),
    osType: str('linux-x64'),
    productLineId: str('vpx'),
    apiType: str('VirtualCenter'),
    apiVersion: str(apiVersionOf(version)),
    instanceUuid: str(instanceUuid),
    licenseProductName: str('VMware VirtualCenter Server'),
    licenseProductVersion: str(version.split('.')[0] ?? '8'),
  });
}

/** ServiceContent, with the managed object ids a real vCenter uses. */
export function serviceContent(version: string, instanceUuid: string): Vim {
  const m = (type: string, value = type) => mor(type, value);
  return obj('ServiceContent', {
    rootFolder: mor('Folder', ROOT_FOLDER),
    propertyCollector: m('PropertyCollector', 'propertyCollector'),
    viewManager: m('ViewManager'),
    about: aboutInfo(version, instanceUuid),
    setting: m('OptionManager', 'VpxSettings'),
    userDirectory: m('UserDirectory'),
    sessionManager: m('SessionManager'),
    authorizationManager: m('AuthorizationManager'),
    serviceManager: m('ServiceManager', 'ServiceMgr'),
    perfManager: m('PerformanceManager', 'PerfMgr'),
    scheduledTaskManager: m('ScheduledTaskManager'),
    alarmManager: m('AlarmManager'),
    eventManager: m('EventManager'),
    taskManager: m('TaskManager'),
    extensionManager: m('ExtensionManager'),
    customizationSpecManager: m('CustomizationSpecManager'),
    customFieldsManager: m('CustomFieldsManager'),
    diagnosticManager: m('DiagnosticManager', 'DiagMgr'),
    licenseManager: m('LicenseManager'),
    searchIndex: m('SearchIndex'),
    fileManager: m('FileManager'),
    datastoreNamespaceManager: m('DatastoreNamespaceManager'),
    virtualDiskManager: m('VirtualDiskManager', 'virtualDiskManager'),
    ovfManager: m('OvfManager'),
    dvSwitchManager: m('DistributedVirtualSwitchManager', 'DVSManager'),
    localizationManager: m('LocalizationManager'),
    storageResourceManager: m('StorageResourceManager'),
    guestOperationsManager: m('GuestOperationsManager'),
    overheadMemoryManager: m('OverheadMemoryManager', 'OverheadMemoryManger'),
    certificateManager: m('CertificateManager', 'certificateManager'),
    cryptoManager: m('CryptoManagerKmip', 'CryptoManager'),
  });
}

export interface SessionView {
  readonly uuid: string;
  readonly userName: string;
  readonly loginTime: Date;
  readonly lastActiveTime: Date;
}

/** UserSession, as Login returns it and SessionManager.currentSession reports it. */
export function userSession(s: SessionView, ipAddress: string, userAgent: string): Vim {
  return obj('UserSession', {
    key: str(s.uuid),
    userName: str(s.userName.includes('\\') ? s.userName : `VSPHERE.LOCAL\\${s.userName.split('@')[0]}`),
    fullName: str(s.userName.split('@')[0] ?? s.userName),
    loginTime: dateTime(s.loginTime),
    lastActiveTime: dateTime(s.lastActiveTime),
    locale: str('en'),
    messageLocale: str('en'),
    extensionSession: bool(false),
    ipAddress: str(ipAddress),
    userAgent: str(userAgent),
    callCount: { kind: 'prim', xsd: 'long', value: 0 },
  });
}
