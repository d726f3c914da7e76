import { setTimeout as sleep } from 'node:timers/promises';
import { DeviceOperationError, DeviceTimeoutError, MalformedResponseError } from '../http/errors';
import { DeviceSession, SessionClient } from '../http/device-session';
import type { HttpClient } from '../http/http-client';
import type { Credentials } from '../redfish/redfish-client';
import { decodeObjectContent, decodeVim, type MoRef, type ObjectContent } from './vim-decode';
import { pollBackoff } from '../commands/poll-backoff';
import { throwOnMissingSet, throwOnSessionMissingSet, VimFaultError } from './vim-faults';

export { VimFaultError, VimMissingSetError } from './vim-faults';
import { type BNode, child, children, morNode, parseXml, soapRequest, type XNode } from './xml';

export interface VsphereClientHooks {
  /** Called each time an expired session is replaced by a new login (metrics). */
  readonly onRelogin?: () => void;
}

export interface ServiceContent {
  readonly rootFolder: MoRef;
  readonly propertyCollector: MoRef;
  readonly viewManager: MoRef;
  readonly sessionManager: MoRef;
  /** Absent on an endpoint that names none: then no task can be looked up by its object. */
  readonly taskManager: MoRef | undefined;
  readonly version: string;
  readonly instanceUuid: string | undefined;
}

export interface TaskWait {
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (percent: number | undefined) => void | Promise<void>;
}

const ref = (m: MoRef): BNode => morNode(m.type, m.value);

/**
 * vSphere Web Services (SOAP vim25) client for one vCenter. XML is built and parsed with
 * fast-xml-parser (never string concatenation); sessions ride on the `vmware_soap_session` cookie
 * and are renewed on NotAuthenticated.
 */
export class VsphereClient extends SessionClient {
  protected readonly session = new DeviceSession({
    login: () => this.openSession(),
    logout: async () => {
      if (this.sc) await this.raw('Logout', { _this: ref(this.sc.sessionManager) }, true);
    },
    canLogout: () => this.sc !== undefined,
  });
  private sc: ServiceContent | undefined;

  /** Sessions renewed after vCenter said the old one was not authenticated (expired, logged out). */
  relogins = 0;

  constructor(
    http: HttpClient,
    private readonly creds: Credentials,
    private readonly hooks: VsphereClientHooks = {},
  ) {
    super(http);
  }

  /** Calls one vim25 method; returns the `<MethodResponse>` element. Mutations are never retried blindly. */
  async invoke(
    method: string,
    body: Record<string, BNode | BNode[] | undefined>,
    opts: { mutating?: boolean; auth?: boolean; check?: (resp: XNode) => void } = {},
  ): Promise<XNode> {
    if (opts.auth !== false) await this.session.ensure();
    const call = async () => {
      const resp = await this.raw(method, body, opts.mutating ?? false);
      opts.check?.(resp);
      return resp;
    };
    const sent = this.session.current;
    try {
      return await call();
    } catch (err) {
      // One re-login and one retry: a NotAuthenticated fault was never executed, whether it came as a SOAP
      // fault or inside a missingSet. A second one is real (wrong account, revoked) and is thrown.
      if (opts.auth !== false && err instanceof VimFaultError && err.faultType === 'NotAuthenticated') {
        // A concurrent call that already logged in again is waited for, not repeated.
        if (await this.session.renew({ sent })) {
          this.relogins++;
          this.hooks.onRelogin?.();
        }
        return call();
      }
      throw err;
    }
  }

  private async raw(
    method: string,
    body: Record<string, BNode | BNode[] | undefined>,
    mutating: boolean,
  ): Promise<XNode> {
    const what = `${this.device} ${method}`;
    const res = await this.http.request('/sdk', {
      method: 'POST',
      retry: !mutating,
      accept: [500],
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        soapaction: 'urn:vim25/8.0.2.0',
        ...(this.session.current ? { cookie: this.session.current } : {}),
      },
      body: soapRequest(method, body),
    });
    const setCookie = res.headers['set-cookie'];
    const session = (Array.isArray(setCookie) ? setCookie : setCookie ? [String(setCookie)] : [])
      .map((c) => c.split(';')[0] ?? '')
      .find((c) => c.startsWith('vmware_soap_session='));
    if (session) this.session.set(session);
    const env = parseXml(res.body.toString('utf8'), what);
    const bodyNode = child(env, 'Body');
    const fault = child(bodyNode, 'Fault');
    if (fault) {
      const detail = child(fault, 'detail')?.children[0];
      const type = (detail?.attrs['xsi:type'] ?? detail?.name ?? 'SystemError').replace(/Fault$/, '');
      throw new VimFaultError(type, `${what}: ${child(fault, 'faultstring')?.text ?? type}`);
    }
    if (res.status >= 400) throw new MalformedResponseError(what, `HTTP ${res.status} without a SOAP fault`);
    const resp = child(bodyNode, `${method}Response`);
    if (!resp) throw new MalformedResponseError(what, `no ${method}Response in the SOAP body`);
    return resp;
  }

  async serviceContent(): Promise<ServiceContent> {
    if (this.sc) return this.sc;
    const r = await this.invoke(
      'RetrieveServiceContent',
      { _this: morNode('ServiceInstance', 'ServiceInstance') },
      { auth: false },
    );
    const rv = child(r, 'returnval');
    const m = (name: string): MoRef => {
      const n = child(rv, name);
      if (!n?.attrs.type || !n.text)
        throw new MalformedResponseError(`${this.device} RetrieveServiceContent`, `no ${name}`);
      return { type: n.attrs.type, value: n.text };
    };
    const about = child(rv, 'about');
    this.sc = {
      rootFolder: m('rootFolder'),
      propertyCollector: m('propertyCollector'),
      viewManager: m('viewManager'),
      sessionManager: m('sessionManager'),
      taskManager: child(rv, 'taskManager') ? m('taskManager') : undefined,
      version: child(about, 'version')?.text ?? 'unknown',
      instanceUuid: child(about, 'instanceUuid')?.text,
    };
    return this.sc;
  }

  /** The session rides on the cookie vCenter sets on its answers (raw keeps it). */
  private async openSession(): Promise<string> {
    const sc = await this.serviceContent();
    await this.raw(
      'Login',
      { _this: ref(sc.sessionManager), userName: this.creds.username, password: this.creds.password },
      false,
    );
    const cookie = this.session.current;
    if (!cookie) throw new MalformedResponseError(`${this.device} Login`, 'no session cookie');
    return cookie;
  }

  /** Properties of one object. */
  async properties(obj: MoRef, paths: readonly string[]): Promise<ObjectContent> {
    const sc = await this.serviceContent();
    const r = await this.invoke(
      'RetrievePropertiesEx',
      {
        _this: ref(sc.propertyCollector),
        specSet: {
          propSet: { type: obj.type, pathSet: [...paths] },
          objectSet: { obj: ref(obj), skip: false },
        },
        options: {},
      },
      { check: throwOnMissingSet },
    );
    const first = children(child(r, 'returnval'), 'objects')[0];
    if (!first)
      throw new MalformedResponseError(
        `${this.device} RetrievePropertiesEx`,
        `${obj.type} ${obj.value} not found`,
      );
    return decodeObjectContent(first);
  }

  /**
   * Every object of `type` under the root folder, in pages of `pageSize` (container view +
   * RetrievePropertiesEx / ContinueRetrievePropertiesEx), so memory stays flat on big vCenters.
   */
  async *objects(type: string, paths: readonly string[], pageSize = 500): AsyncGenerator<ObjectContent[]> {
    const sc = await this.serviceContent();
    const view = await this.invoke('CreateContainerView', {
      _this: ref(sc.viewManager),
      container: ref(sc.rootFolder),
      type,
      recursive: true,
    });
    const viewRef = readMor(child(view, 'returnval'), `${this.device} CreateContainerView`);
    try {
      let r = await this.invoke(
        'RetrievePropertiesEx',
        {
          _this: ref(sc.propertyCollector),
          specSet: {
            propSet: { type, pathSet: [...paths] },
            objectSet: {
              obj: ref(viewRef),
              skip: true,
              selectSet: {
                '@_xsi:type': 'TraversalSpec',
                name: 'traverseEntities',
                type: 'ContainerView',
                path: 'view',
                skip: false,
              },
            },
          },
          options: { maxObjects: pageSize },
        },
        { check: throwOnSessionMissingSet },
      );
      for (;;) {
        const rv = child(r, 'returnval');
        const page = children(rv, 'objects').map(decodeObjectContent);
        if (page.length > 0) yield page;
        const token = child(rv, 'token')?.text;
        if (!token) break;
        r = await this.invoke(
          'ContinueRetrievePropertiesEx',
          { _this: ref(sc.propertyCollector), token },
          { check: throwOnSessionMissingSet },
        );
      }
    } finally {
      await this.invoke('DestroyView', { _this: ref(viewRef) }).catch(() => undefined);
    }
  }

  /**
   * Waits for a Task to end; throws DeviceOperationError with vCenter's message on error. Between reads it
   * blocks in WaitForUpdatesEx on a private PropertyCollector filtering that task (what pyVmomi's WaitForTask
   * and govc do), so the end is seen when it happens, not at the next poll; each wait is bounded by the poll
   * interval. A vCenter that refuses the collector is polled instead (quick first looks, then the interval).
   */
  async waitForTask(task: MoRef, w: TaskWait): Promise<unknown> {
    const deadline = Date.now() + w.timeoutMs;
    const delay = pollBackoff(w.pollMs);
    const watch = await this.watchTask(task).catch(() => undefined);
    try {
      for (;;) {
        const info = (await this.properties(task, ['info'])).props.info as
          | Record<string, unknown>
          | undefined;
        const state = typeof info?.state === 'string' ? info.state : undefined;
        if (!state) throw new MalformedResponseError(`${this.device} task ${task.value}`, 'no info.state');
        if (state === 'success') return info?.result;
        if (state === 'error') {
          const e = info?.error as Record<string, unknown> | undefined;
          const msg = typeof e?.localizedMessage === 'string' ? e.localizedMessage : 'task failed';
          throw new DeviceOperationError('vcenter_task_failed', `${this.device} task ${task.value}: ${msg}`);
        }
        const p = Number(info?.progress);
        await w.onProgress?.(Number.isFinite(p) ? p : undefined);
        if (Date.now() >= deadline)
          throw new DeviceTimeoutError(`${this.device} task ${task.value}`, w.timeoutMs);
        if (w.signal?.aborted) throw w.signal.reason;
        if (watch) await watch.next(Math.max(1, Math.ceil(w.pollMs / 1000)));
        else await sleep(delay(), undefined, w.signal ? { signal: w.signal } : undefined);
      }
    } finally {
      await watch?.close();
    }
  }

  /** A private collector with a filter on one task: `next` returns when the task changes or after maxWait. */
  private async watchTask(task: MoRef) {
    const sc = await this.serviceContent();
    const created = await this.invoke('CreatePropertyCollector', { _this: ref(sc.propertyCollector) });
    const pc = readMor(child(created, 'returnval'), `${this.device} CreatePropertyCollector`);
    const close = async () => {
      await this.invoke('DestroyPropertyCollector', { _this: ref(pc) }).catch(() => undefined);
    };
    let version = '';
    const wait = async (maxWaitSeconds: number) => {
      const r = await this.invoke('WaitForUpdatesEx', {
        _this: ref(pc),
        version,
        options: { maxWaitSeconds },
      });
      version = child(child(r, 'returnval'), 'version')?.text ?? version;
    };
    try {
      await this.invoke('CreateFilter', {
        _this: ref(pc),
        spec: {
          propSet: { type: 'Task', pathSet: ['info.state', 'info.progress'] },
          objectSet: { obj: ref(task), skip: false },
        },
        partialUpdates: false,
      });
      await wait(0); // the initial state: from here on, only changes wake a wait
    } catch (err) {
      await close();
      throw err;
    }
    return { next: wait, close };
  }

  async startTask(method: string, body: Record<string, BNode | BNode[] | undefined>): Promise<MoRef> {
    const r = await this.invoke(method, body, { mutating: true });
    return readMor(child(r, 'returnval'), `${this.device} ${method}`);
  }

  /**
   * Tasks still queued or running on `entity` whose `descriptionId` is the given one (e.g.
   * `HostSystem.enterMaintenanceMode`), from the TaskManager's `recentTask`: how a command taken over from
   * another agent finds the task that agent started.
   */
  async activeTasks(entity: MoRef, descriptionId: string): Promise<MoRef[]> {
    const sc = await this.serviceContent();
    if (!sc.taskManager) return [];
    const recent = (await this.properties(sc.taskManager, ['recentTask'])).props.recentTask;
    const out: MoRef[] = [];
    for (const task of Array.isArray(recent) ? (recent as MoRef[]) : []) {
      const info = (await this.properties(task, ['info']).catch(() => undefined))?.props.info as
        | { entity?: MoRef; descriptionId?: string; state?: string }
        | undefined;
      if (
        info?.descriptionId === descriptionId &&
        info.entity?.type === entity.type &&
        info.entity.value === entity.value &&
        (info.state === 'queued' || info.state === 'running')
      )
        out.push(task);
    }
    return out;
  }

  enterMaintenanceMode(host: MoRef, timeoutSeconds: number, evacuatePoweredOffVms: boolean) {
    return this.startTask('EnterMaintenanceMode_Task', {
      _this: ref(host),
      timeout: timeoutSeconds,
      evacuatePoweredOffVms,
    });
  }

  exitMaintenanceMode(host: MoRef, timeoutSeconds: number) {
    return this.startTask('ExitMaintenanceMode_Task', { _this: ref(host), timeout: timeoutSeconds });
  }

  /** `ReconfigureComputeResource_Task` with a ClusterConfigSpecEx carrying only dasConfig (modify=true). */
  reconfigureDas(cluster: MoRef, das: BNode) {
    return this.startTask('ReconfigureComputeResource_Task', {
      _this: ref(cluster),
      spec: { '@_xsi:type': 'ClusterConfigSpecEx', dasConfig: das },
      modify: true,
    });
  }

  powerOnVm(vm: MoRef) {
    return this.startTask('PowerOnVM_Task', { _this: ref(vm) });
  }

  powerOffVm(vm: MoRef) {
    return this.startTask('PowerOffVM_Task', { _this: ref(vm) });
  }

  async shutdownGuest(vm: MoRef): Promise<void> {
    await this.invoke('ShutdownGuest', { _this: ref(vm) }, { mutating: true });
  }
}

function readMor(n: XNode | undefined, what: string): MoRef {
  if (!n?.attrs.type || !n.text)
    throw new MalformedResponseError(what, 'expected a managed object reference');
  return { type: n.attrs.type, value: n.text };
}

export { decodeVim };
