import { timingSafeEqual } from 'node:crypto';
import type { World } from '../world/world';
import { runReconfigureCluster, readClusterSpec, validateClusterSpec } from './cluster-reconfigure';
import { runEnterMaintenance, runExitMaintenance } from './maintenance';
import { fromGetters, type ManagedObject, type ObjectSource } from './model/managed-object';
import { VcInventory } from './model/inventory';
import { CollectorMethods } from './collector-methods';
import { deniedReads, expiredSessionAnswer } from './vcenter-quirks';
import { type BNode, toBuilder } from './soap/envelope';
import { type MoRef, optionalText, readBool, readInt, readMor, readThis } from './soap/decode';
import {
  invalidArgument,
  invalidLogin,
  invalidState,
  managedObjectNotFound,
  methodNotFound,
  notAuthenticated,
  VimFaultError,
} from './soap/faults';
import { dateTime, mor, morArray, type Vim } from './soap/vim-value';
import { child, childrenNamed, type XNode } from './soap/xml-tree';
import { serviceContent, userSession } from './service-content';
import type { SessionStore, VcSession } from './sessions';
import { TaskRegistry, type VcTask } from './tasks';
import type { VcContext } from './vc-context';
import { ViewRegistry } from './views';
import { runPowerOff, runPowerOn, shutdownGuest } from './vm-power';
import { snapshotMethods, snapshotObject, vmOfSnapshot } from './vm-snapshots';
import { registrationMethods } from './vm-registration';
import { nasMethods } from './nas-datastores';
import { asSoapHandlers } from './soap-handlers';

/** One SOAP call: the method element, the caller's session (if its cookie is valid), and its address. */
export interface SoapCall {
  readonly method: XNode;
  readonly session: VcSession | undefined;
  /** The cookie named a session that timed out (quirk `sessionTimeoutSeconds`). */
  readonly expiredSession?: boolean;
  readonly remoteAddress: string;
  readonly userAgent: string;
  readonly signal: AbortSignal;
}

/** What a method answers: its `returnval`(s), and a new session when it logged in. */
export interface SoapAnswer {
  readonly returnval?: BNode | BNode[];
  readonly newSession?: VcSession;
}

export type Handler = (call: SoapCall, session: VcSession) => Promise<SoapAnswer> | SoapAnswer;

const PUBLIC_METHODS = new Set(['RetrieveServiceContent', 'Login', 'CurrentTime']);

/**
 * The vim25 methods the lab serves, over one vCenter's inventory. Sessions, views, property
 * collectors and tasks live here; the world holds everything else.
 */
export class VimService {
  readonly inventory: VcInventory;
  readonly tasks = new TaskRegistry();
  readonly views: ViewRegistry;
  /** Hosts with a maintenance-mode entry in flight. */
  readonly entering = new Set<string>();
  private readonly collectorMethods: CollectorMethods;
  private readonly handlers: Record<string, Handler>;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly ctx: VcContext,
    private readonly sessions: SessionStore,
    private readonly credentials: { username: string; password: string },
  ) {
    this.inventory = new VcInventory(ctx);
    const hidden = ctx.vcenter.quirks.hiddenClusters;
    this.views = new ViewRegistry({
      exists: (ref) => this.inventory.exists(ref),
      // Read on every call: a test may take a permission away while the lab runs.
      children: (ref) =>
        this.inventory
          .children(ref)
          .filter(
            (c) =>
              hidden.length === 0 ||
              c.type !== 'ClusterComputeResource' ||
              !hidden.includes(this.inventory.clusterByMoref(c.value)?.name ?? ''),
          ),
    });
    this.collectorMethods = new CollectorMethods(ctx.vcenter.quirks, (session) => this.source(session));
    this.handlers = {
      RetrieveServiceContent: () => ({
        returnval: toBuilder(serviceContent(ctx.vcenter.version, ctx.instanceUuid), false),
      }),
      CurrentTime: () => ({ returnval: toBuilder(dateTime(this.world.clock.now()), false) }),
      Login: (call) => this.login(call),
      Logout: (_call, session) => {
        this.sessions.delete(session.key);
        this.views.dropSession(session.key);
        this.collectorMethods.dropSession(session.key);
        return {};
      },
      SessionIsActive: (call) => {
        const id = optionalText(call.method, 'sessionID');
        const user = optionalText(call.method, 'userName');
        const s = id === undefined ? undefined : this.sessions.byUuid(id);
        return {
          returnval: s !== undefined && (user === undefined || user === s.userName) ? 'true' : 'false',
        };
      },
      CreateContainerView: (call, session) => this.createContainerView(call, session),
      DestroyView: (call) => {
        const ref = readThis(call.method);
        if (!this.views.destroy(ref.value)) throw managedObjectNotFound(mor(ref.type, ref.value));
        return {};
      },
      ...this.collectorMethods.handlers(),
      EnterMaintenanceMode_Task: (call, session) => {
        const host = this.host(call);
        const timeout = readInt(call.method, 'timeout') ?? 0;
        if (timeout < 0) throw invalidArgument('timeout');
        const evacuatePoweredOff = readBool(call.method, 'evacuatePoweredOffVms', false);
        const task = this.newTask(
          session,
          'EnterMaintenanceMode_Task',
          'HostSystem.enterMaintenanceMode',
          host.moref,
          'HostSystem',
          host.name,
        );
        this.track(runEnterMaintenance(this, host, task, { timeoutSeconds: timeout, evacuatePoweredOff }));
        return taskAnswer(task);
      },
      ExitMaintenanceMode_Task: (call, session) => {
        const host = this.host(call);
        const task = this.newTask(
          session,
          'ExitMaintenanceMode_Task',
          'HostSystem.exitMaintenanceMode',
          host.moref,
          'HostSystem',
          host.name,
        );
        this.track(runExitMaintenance(this, host, task));
        return taskAnswer(task);
      },
      ReconfigureComputeResource_Task: (call, session) => {
        const ref = readThis(call.method);
        const cluster = this.inventory.clusterByMoref(ref.value);
        if (!cluster) throw managedObjectNotFound(mor(ref.type, ref.value));
        const specNode = child(call.method, 'spec');
        if (!specNode) throw invalidArgument('spec');
        const spec = readClusterSpec(specNode);
        validateClusterSpec(cluster, spec);
        const modify = readBool(call.method, 'modify', false);
        const task = this.newTask(
          session,
          'ReconfigureComputeResource_Task',
          'ClusterComputeResource.reconfigureEx',
          cluster.moref,
          'ClusterComputeResource',
          cluster.name,
        );
        this.track(
          runReconfigureCluster(
            this.world,
            ctx.haPolicy,
            cluster,
            spec,
            modify,
            task,
            ctx.vcenter.quirks.revertsHaChanges,
          ),
        );
        return taskAnswer(task);
      },
      PowerOnVM_Task: (call, session) => {
        const vm = this.vm(call);
        const task = this.newTask(
          session,
          'PowerOnVM_Task',
          'VirtualMachine.powerOn',
          vm.moref,
          'VirtualMachine',
          vm.name,
        );
        this.track(runPowerOn(this.world, vm, task));
        return taskAnswer(task);
      },
      PowerOffVM_Task: (call, session) => {
        const vm = this.vm(call);
        const task = this.newTask(
          session,
          'PowerOffVM_Task',
          'VirtualMachine.powerOff',
          vm.moref,
          'VirtualMachine',
          vm.name,
        );
        this.track(runPowerOff(this.world, vm, task));
        return taskAnswer(task);
      },
      CancelTask: (call) => {
        const ref = readThis(call.method);
        const task = this.tasks.get(ref.value);
        if (!task) throw managedObjectNotFound(mor(ref.type, ref.value));
        if (task.finished) throw invalidState('The operation is not allowed in the current state.');
        if (!task.cancelable)
          throw new VimFaultError('NotSupported', 'The operation is not supported on the object.');
        task.requestCancel();
        return {};
      },
      ...snapshotMethods(this, ctx.vcenter.id),
      ...this.registration(),
      ShutdownGuest: (call) => {
        shutdownGuest(this.world, this.vm(call));
        return {};
      },
    };
  }

  get world(): World {
    return this.ctx.world;
  }

  /** Runs one method; throws VimFaultError for vim faults. */
  async call(call: SoapCall): Promise<SoapAnswer> {
    const handler = this.handlers[call.method.name];
    if (!handler) throw methodNotFound(call.method.name);
    if (!PUBLIC_METHODS.has(call.method.name) && !call.session) {
      const quirk = this.ctx.vcenter.quirks.expiredSessionAs === 'missingSet' && call.expiredSession;
      const answer = quirk ? expiredSessionAnswer(call.method) : undefined;
      if (answer) return answer;
      throw notAuthenticated(mor('Folder', this.inventory.rootFolder.value));
    }
    if (call.session) call.session.lastActiveTime = this.world.clock.now();
    return handler(call, call.session as VcSession);
  }

  /** The vCenter went down (its appliance VM stopped): sessions, views and collectors are gone. */
  forgetSessions(): void {
    this.sessions.clear();
    this.views.clear();
    this.collectorMethods.clear();
  }

  /** Resolves when every task started so far has ended (tests and shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.running]);
  }

  private login(call: SoapCall): SoapAnswer {
    const user = optionalText(call.method, 'userName') ?? '';
    const password = optionalText(call.method, 'password') ?? '';
    if (
      !(
        sameText(user.toLowerCase(), this.credentials.username.toLowerCase()) &&
        sameText(password, this.credentials.password)
      )
    ) {
      throw invalidLogin();
    }
    const session = this.sessions.create(this.credentials.username, this.world.clock.now());
    return {
      returnval: toBuilder(userSession(session, call.remoteAddress, call.userAgent), false),
      newSession: session,
    };
  }

  private createContainerView(call: SoapCall, session: VcSession): SoapAnswer {
    const container = readMor(child(call.method, 'container'), 'container');
    if (!this.inventory.exists(container)) throw managedObjectNotFound(mor(container.type, container.value));
    const types = childrenNamed(call.method, 'type').map((t) => t.text);
    const recursive = readBool(call.method, 'recursive', false);
    const view = this.views.create(session.key, session.uuid, container, types, recursive);
    return { returnval: toBuilder(mor('ContainerView', view.id), false) };
  }

  private registration(): Record<string, Handler> {
    const methods = registrationMethods({
      ctx: this.ctx,
      inventory: this.inventory,
      newTask: (name, descriptionId, ref, entityName, userName) =>
        this.tasks.create(name, descriptionId, ref, entityName, userName, this.world.clock.now()),
      track: (p) => this.track(p),
      vm: (method) => this.vmOf(method),
    });
    return asSoapHandlers({ ...methods, ...nasMethods({ ctx: this.ctx, inventory: this.inventory }) });
  }

  private host(call: SoapCall) {
    const ref = readThis(call.method);
    const host = this.inventory.hostByMoref(ref.value);
    if (!host) throw managedObjectNotFound(mor(ref.type, ref.value));
    return host;
  }

  vm(call: SoapCall) {
    return this.vmOf(call.method);
  }

  private vmOf(method: XNode) {
    const ref = readThis(method);
    const vm = this.inventory.vmByMoref(ref.value);
    if (!vm) throw managedObjectNotFound(mor(ref.type, ref.value));
    return vm;
  }

  newTask(
    session: VcSession,
    name: string,
    descriptionId: string,
    moref: string,
    type: string,
    entityName: string,
  ): VcTask {
    return this.tasks.create(
      name,
      descriptionId,
      { type, value: moref },
      entityName,
      session.userName,
      this.world.clock.now(),
    );
  }

  track(p: Promise<void>): void {
    const tracked = p.catch((err: unknown) => {
      // A bug in a task runner must not crash the lab; the task would stay running, so log loudly.
      process.stderr.write(
        `lab vcenter: task runner failed: ${err instanceof Error ? err.stack : String(err)}\n`,
      );
    });
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }

  /** The objects a session can address: the inventory, its views, tasks and the service singletons. */
  source(session: VcSession): ObjectSource {
    return {
      get: (ref: MoRef): ManagedObject | undefined => {
        switch (ref.type) {
          case 'ContainerView': {
            const v = this.views.get(ref.value);
            return v && v.sessionKey === session.key ? v.managedObject() : undefined;
          }
          case 'Task':
            return this.tasks.get(ref.value)?.managedObject();
          case 'SessionManager':
            return fromGetters(ref, {
              currentSession: () =>
                this.sessions.get(session.key) ? userSession(session, '127.0.0.1', 'rackops-lab') : undefined,
            });
          case 'TaskManager':
            return fromGetters(ref, {
              recentTask: (): Vim => morArray(this.tasks.active().map((t) => mor('Task', t.id))),
            });
          case 'ServiceInstance':
            return fromGetters(ref, {
              content: () => serviceContent(this.ctx.vcenter.version, this.ctx.instanceUuid),
              serverClock: () => dateTime(this.world.clock.now()),
            });
          case 'VirtualMachineSnapshot': {
            const vm = vmOfSnapshot(this.world, this.ctx.vcenter.id, ref.value);
            const snap = vm?.snapshots?.find((x) => x.moref === ref.value);
            return vm && snap ? snapshotObject(vm, snap) : undefined;
          }
          case 'VirtualMachine': {
            const mo = this.inventory.get(ref);
            const denied = this.ctx.vcenter.quirks.noPermissionOn;
            const name = denied.length > 0 ? this.inventory.vmByMoref(ref.value)?.name : undefined;
            return mo && name !== undefined && denied.includes(name) ? deniedReads(mo) : mo;
          }
          default:
            return this.inventory.get(ref);
        }
      },
    };
  }
}

export function taskAnswer(task: VcTask): SoapAnswer {
  return { returnval: toBuilder(mor('Task', task.id), false) };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
