import type { VcenterQuirks } from '../config/vcenter-quirks.schema';
import type { ObjectSource } from './model/managed-object';
import { CollectorSession, retrieve, retrieveResultNode, select } from './property-collector';
import { objectContentNode } from './property-retrieve';
import { toBuilder } from './soap/envelope';
import { optionalText, readFilterSpec, readInt, readThis } from './soap/decode';
import { invalidArgument, managedObjectNotFound } from './soap/faults';
import { mor } from './soap/vim-value';
import { child, childrenNamed } from './soap/xml-tree';
import type { SoapAnswer, SoapCall } from './soap-service';
import type { VcSession } from './sessions';

type Handler = (call: SoapCall, session: VcSession) => Promise<SoapAnswer> | SoapAnswer;

/**
 * The PropertyCollector methods of one vCenter: each session's collectors (its own `propertyCollector`
 * and those it created), their filters, and the retrieval quirks (`maxObjects`, `serverPageSize`).
 */
export class CollectorMethods {
  private readonly collectors = new Map<string, CollectorSession>();
  private readonly filterOwners = new Map<string, CollectorSession>();
  private nextCollector = 1;

  constructor(
    private readonly quirks: VcenterQuirks,
    private readonly source: (session: VcSession) => ObjectSource,
  ) {}

  /** The page size a RetrievePropertiesEx gets: the client's maxObjects unless the server ignores it, capped. */
  private pageSize(requested: number | undefined): number | undefined {
    const asked = this.quirks.maxObjects === 'ignored' ? undefined : requested;
    const cap = this.quirks.serverPageSize;
    if (cap === undefined) return asked;
    return asked === undefined || asked <= 0 ? cap : Math.min(asked, cap);
  }

  dropSession(sessionKey: string): void {
    for (const [key, c] of this.collectors) {
      if (key.startsWith(`${sessionKey}|`)) {
        this.collectors.delete(key);
        for (const [f, owner] of this.filterOwners) if (owner === c) this.filterOwners.delete(f);
      }
    }
  }

  clear(): void {
    this.collectors.clear();
    this.filterOwners.clear();
  }

  handlers(): Record<string, Handler> {
    return {
      RetrievePropertiesEx: (call, session) => {
        const collector = this.collector(call, session);
        const specs = childrenNamed(call.method, 'specSet').map(readFilterSpec);
        const options = child(call.method, 'options');
        const maxObjects = options ? readInt(options, 'maxObjects') : undefined;
        const page = collector.firstPage(select(this.source(session), specs), this.pageSize(maxObjects));
        return { returnval: retrieveResultNode(page) };
      },
      ContinueRetrievePropertiesEx: (call, session) => {
        const token = optionalText(call.method, 'token');
        if (token === undefined) throw invalidArgument('token');
        return { returnval: retrieveResultNode(this.collector(call, session).continuePage(token)) };
      },
      CancelRetrievePropertiesEx: (call, session) => {
        const token = optionalText(call.method, 'token');
        if (token !== undefined) this.collector(call, session).cancel(token);
        return {};
      },
      RetrieveProperties: (call, session) => {
        const specs = childrenNamed(call.method, 'specSet').map(readFilterSpec);
        const all = retrieve(this.source(session), specs);
        // RetrieveProperties answers the ObjectContents themselves as repeated returnvals.
        return { returnval: all.length > 0 ? all.map(objectContentNode) : undefined };
      },
      CreatePropertyCollector: (_call, session) => {
        const id = `session[${session.uuid}]pc-${this.nextCollector++}`;
        this.collectors.set(`${session.key}|${id}`, new CollectorSession(id, this.source(session)));
        return { returnval: toBuilder(mor('PropertyCollector', id), false) };
      },
      DestroyPropertyCollector: (call, session) => {
        const ref = readThis(call.method);
        const c = this.collectors.get(`${session.key}|${ref.value}`);
        this.collectors.delete(`${session.key}|${ref.value}`);
        for (const [f, owner] of this.filterOwners) if (owner === c) this.filterOwners.delete(f);
        return {};
      },
      CreateFilter: (call, session) => {
        const collector = this.collector(call, session);
        const spec = child(call.method, 'spec');
        if (!spec) throw invalidArgument('spec');
        const filterSpec = readFilterSpec(spec);
        // Fails now (not at the first wait) on a bad path or object, as vCenter does.
        retrieve(this.source(session), [filterSpec]);
        const id = collector.createFilter(filterSpec);
        this.filterOwners.set(id, collector);
        return { returnval: toBuilder(mor('PropertyFilter', id), false) };
      },
      DestroyPropertyFilter: (call) => {
        const ref = readThis(call.method);
        this.filterOwners.get(ref.value)?.destroyFilter(ref.value);
        this.filterOwners.delete(ref.value);
        return {};
      },
      WaitForUpdatesEx: async (call, session) => {
        const collector = this.collector(call, session);
        const options = child(call.method, 'options');
        const maxWait = options ? readInt(options, 'maxWaitSeconds') : undefined;
        const update = await collector.waitForUpdates(
          optionalText(call.method, 'version'),
          maxWait,
          call.signal,
        );
        return update === undefined ? {} : { returnval: update };
      },
      // The pre-Ex forms (pyVmomi's WaitForTask uses WaitForUpdates): same updates, no options.
      WaitForUpdates: async (call, session) => {
        const collector = this.collector(call, session);
        const version = optionalText(call.method, 'version');
        const update = await collector.waitForUpdates(version, undefined, call.signal);
        return update === undefined ? {} : { returnval: update };
      },
      CheckForUpdates: async (call, session) => {
        const collector = this.collector(call, session);
        const update = await collector.waitForUpdates(optionalText(call.method, 'version'), 0, call.signal);
        return update === undefined ? {} : { returnval: update };
      },
    };
  }

  private collector(call: SoapCall, session: VcSession): CollectorSession {
    const ref = readThis(call.method);
    const key = `${session.key}|${ref.value}`;
    let c = this.collectors.get(key);
    if (!c) {
      // The service's own collector exists for every session; others only once created.
      if (ref.value !== 'propertyCollector') throw managedObjectNotFound(mor(ref.type, ref.value));
      c = new CollectorSession(`session[${session.uuid}]propertyCollector`, this.source(session));
      this.collectors.set(key, c);
    }
    return c;
  }
}
