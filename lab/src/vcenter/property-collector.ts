import { setTimeout as delay } from 'node:timers/promises';
import type { BNode } from './soap/envelope';
import { toBuilder } from './soap/envelope';
import type { PropertyFilterSpec } from './soap/decode';
import { invalidArgument, VimFaultError } from './soap/faults';
import { mor, type Vim } from './soap/vim-value';
import { isA, type ManagedObject, type ObjectSource } from './model/managed-object';
import {
  collectObjects,
  contentOf,
  type ObjectContent,
  objectContentNode,
  validatePaths,
} from './property-retrieve';

/** vCenter caps a page even when the client sets no maxObjects; clients must follow the token. */
export const SERVER_PAGE_CAP = 1000;

/** An object a filter selected, its values not read yet (pages read them when they are sent). */
export interface Selected {
  readonly mo: ManagedObject;
  readonly spec: PropertyFilterSpec;
}

/**
 * The objects the filter specs select (paths checked now, so a bad path fails the first call).
 * Values are read per page: a 40,000-VM result is not built in memory before the first page goes out.
 */
export function select(source: ObjectSource, specs: readonly PropertyFilterSpec[]): Selected[] {
  const out: Selected[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    const objects = collectObjects(source, spec);
    validatePaths(spec, objects);
    for (const mo of objects) {
      const key = `${mo.ref.type}:${mo.ref.value}`;
      if (seen.has(key) || !spec.propSet.some((p) => isA(mo.ref.type, p.type))) continue;
      seen.add(key);
      out.push({ mo, spec });
    }
  }
  return out;
}

export function materialise(items: readonly Selected[]): ObjectContent[] {
  return items.flatMap((i) => contentOf(i.mo, i.spec) ?? []);
}

/** RetrievePropertiesEx without paging: the objects and values a filter spec selects right now. */
export function retrieve(source: ObjectSource, specs: readonly PropertyFilterSpec[]): ObjectContent[] {
  return materialise(select(source, specs));
}

interface FilterState {
  readonly id: string;
  readonly spec: PropertyFilterSpec;
  /** Last values sent to the client, per object key then path (JSON of the Vim value). */
  sent: Map<string, { content: ObjectContent; values: Map<string, string> }>;
}

interface ObjectUpdate {
  kind: 'enter' | 'modify' | 'leave';
  content: ObjectContent;
  changes: Array<{ name: string; op: 'assign' | 'remove'; val?: Vim }>;
}

/**
 * The state of one PropertyCollector for one session: result pages waiting behind a token,
 * and property filters with what was last reported (version-based WaitForUpdatesEx).
 */
export class CollectorSession {
  private readonly pages = new Map<string, { rest: Selected[]; pageSize: number }>();
  private readonly filters = new Map<string, FilterState>();
  private nextToken = 1;
  private version = 0;
  private nextFilter = 1;

  constructor(
    /** Unique across sessions: filter morefs are derived from it. */
    readonly id: string,
    private readonly source: ObjectSource,
  ) {}

  /** First page of a result; the rest waits behind a token for ContinueRetrievePropertiesEx. */
  firstPage(all: Selected[], maxObjects: number | undefined): { objects: ObjectContent[]; token?: string } {
    const size = Math.min(maxObjects && maxObjects > 0 ? maxObjects : SERVER_PAGE_CAP, SERVER_PAGE_CAP);
    if (all.length <= size) return { objects: materialise(all) };
    const token = String(this.nextToken++);
    this.pages.set(token, { rest: all.slice(size), pageSize: size });
    return { objects: materialise(all.slice(0, size)), token };
  }

  /** Next page, with the first call's page size (vCenter keeps the original maxObjects). */
  continuePage(token: string): { objects: ObjectContent[]; token?: string } {
    const page = this.pages.get(token);
    if (!page) throw invalidArgument('token');
    this.pages.delete(token);
    const { rest, pageSize } = page;
    if (rest.length <= pageSize) return { objects: materialise(rest) };
    const next = String(this.nextToken++);
    this.pages.set(next, { rest: rest.slice(pageSize), pageSize });
    return { objects: materialise(rest.slice(0, pageSize)), token: next };
  }

  cancel(token: string): void {
    this.pages.delete(token);
  }

  createFilter(spec: PropertyFilterSpec): string {
    const id = `${this.id}-filter-${this.nextFilter++}`;
    this.filters.set(id, { id, spec, sent: new Map() });
    return id;
  }

  destroyFilter(id: string): boolean {
    return this.filters.delete(id);
  }

  hasFilter(id: string): boolean {
    return this.filters.has(id);
  }

  /**
   * WaitForUpdatesEx: with no version, everything the filters select (kind enter); with the last
   * version, only what changed since, waiting up to maxWaitSeconds for a change (real seconds).
   * Undefined means "no change before the wait ended" (an empty response, as vCenter sends).
   */
  async waitForUpdates(
    version: string | undefined,
    maxWaitSeconds: number | undefined,
    signal: AbortSignal,
  ): Promise<BNode | undefined> {
    if (version === undefined || version === '') for (const f of this.filters.values()) f.sent.clear();
    else if (version !== String(this.version)) {
      throw new VimFaultError('InvalidCollectorVersion', 'The collector version is not valid.');
    }
    const deadline =
      maxWaitSeconds === undefined ? Number.POSITIVE_INFINITY : Date.now() + maxWaitSeconds * 1000;
    for (;;) {
      const sets = [...this.filters.values()]
        .map((f) => ({ filter: f, updates: this.diff(f) }))
        .filter((s) => s.updates.length > 0);
      if (sets.length > 0) {
        this.version += 1;
        return {
          version: String(this.version),
          filterSet: sets.map((s) => ({
            filter: toBuilder(mor('PropertyFilter', s.filter.id), false),
            objectSet: s.updates.map(updateNode),
          })),
        };
      }
      if (Date.now() >= deadline || signal.aborted) return undefined;
      await delay(Math.min(25, Math.max(1, deadline - Date.now())), undefined, { ref: false }).catch(
        () => {},
      );
    }
  }

  private diff(f: FilterState): ObjectUpdate[] {
    const now = new Map<string, ObjectContent>();
    for (const c of retrieve(this.source, [f.spec])) now.set(`${c.obj.type}:${c.obj.value}`, c);
    const updates: ObjectUpdate[] = [];
    for (const [key, content] of now) {
      const values = new Map(content.propSet.map((p) => [p.name, JSON.stringify(p.val)]));
      const before = f.sent.get(key);
      if (!before) {
        updates.push({
          kind: 'enter',
          content,
          changes: content.propSet.map((p) => ({ name: p.name, op: 'assign', val: p.val })),
        });
      } else {
        const changes: ObjectUpdate['changes'] = [];
        for (const p of content.propSet) {
          if (before.values.get(p.name) !== values.get(p.name))
            changes.push({ name: p.name, op: 'assign', val: p.val });
        }
        for (const name of before.values.keys()) if (!values.has(name)) changes.push({ name, op: 'remove' });
        if (changes.length > 0) updates.push({ kind: 'modify', content, changes });
      }
      f.sent.set(key, { content, values });
    }
    for (const [key, prev] of f.sent) {
      if (!now.has(key)) {
        updates.push({ kind: 'leave', content: prev.content, changes: [] });
        f.sent.delete(key);
      }
    }
    return updates;
  }
}

function updateNode(u: ObjectUpdate): BNode {
  const node: Record<string, BNode | BNode[]> = {
    kind: u.kind,
    obj: toBuilder(mor(u.content.obj.type, u.content.obj.value), false),
  };
  if (u.changes.length > 0) {
    node.changeSet = u.changes.map(
      (c): BNode =>
        c.val === undefined
          ? { name: c.name, op: c.op }
          : { name: c.name, op: c.op, val: toBuilder(c.val, true) },
    );
  }
  return node;
}

export function retrieveResultNode(page: { objects: ObjectContent[]; token?: string }): BNode | undefined {
  if (page.objects.length === 0 && page.token === undefined) return undefined;
  const node: Record<string, BNode | BNode[]> = {};
  if (page.token !== undefined) node.token = page.token;
  node.objects = page.objects.map(objectContentNode);
  return node;
}
