import { randomBytes } from 'node:crypto';
import type { MoRef } from './soap/decode';
import { arr, bool, mor, morArray, str } from './soap/vim-value';
import { fromGetters, isA, type ManagedObject } from './model/managed-object';

/** What a container view needs from the inventory: the entity tree. */
export interface EntityTree {
  /** Direct children in the inventory tree (folder -> entities, cluster -> hosts, host -> VMs...). */
  children(ref: MoRef): readonly MoRef[];
  exists(ref: MoRef): boolean;
}

/**
 * A ContainerView (ViewManager.CreateContainerView): the entities of given types under a container,
 * recomputed on every read so it follows the world, as vCenter's views do. Views belong to a session.
 */
export class ContainerView {
  constructor(
    readonly id: string,
    readonly sessionKey: string,
    private readonly tree: EntityTree,
    readonly container: MoRef,
    readonly types: readonly string[],
    readonly recursive: boolean,
  ) {}

  get ref(): MoRef {
    return { type: 'ContainerView', value: this.id };
  }

  contents(): MoRef[] {
    const out = new Map<string, MoRef>();
    const seen = new Set<string>();
    const walk = (ref: MoRef, depth: number) => {
      for (const c of this.tree.children(ref)) {
        const key = `${c.type}:${c.value}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (this.types.length === 0 || this.types.some((t) => isA(c.type, t))) out.set(key, c);
        if (this.recursive) walk(c, depth + 1);
      }
    };
    walk(this.container, 0);
    return [...out.values()];
  }

  managedObject(): ManagedObject {
    return fromGetters(this.ref, {
      container: () => mor(this.container.type, this.container.value),
      type: () => arr('string', this.types.map(str)),
      recursive: () => bool(this.recursive),
      view: () => morArray(this.contents().map((r) => mor(r.type, r.value))),
    });
  }
}

export class ViewRegistry {
  private readonly views = new Map<string, ContainerView>();

  constructor(private readonly tree: EntityTree) {}

  create(
    sessionKey: string,
    sessionUuid: string,
    container: MoRef,
    types: string[],
    recursive: boolean,
  ): ContainerView {
    // vCenter names session-scoped objects `session[<session uuid>]<object uuid>`.
    const id = `session[${sessionUuid}]${randomBytes(16).toString('hex')}`;
    const view = new ContainerView(id, sessionKey, this.tree, container, types, recursive);
    this.views.set(id, view);
    return view;
  }

  get(id: string): ContainerView | undefined {
    return this.views.get(id);
  }

  destroy(id: string): boolean {
    return this.views.delete(id);
  }

  clear(): void {
    this.views.clear();
  }

  /** Views die with their session (Logout). */
  dropSession(sessionKey: string): void {
    for (const [id, v] of this.views) if (v.sessionKey === sessionKey) this.views.delete(id);
  }
}
