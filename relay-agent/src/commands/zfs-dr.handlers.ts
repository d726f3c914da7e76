import { cloneName, isGroupClone } from '@rackops/core/replication/clone-name';
import { parseSnapshotTag } from '@rackops/core/replication/snapshot-name';
import { ZfsDrCommandParams, ZfsMountpoint } from '@rackops/core/relay/zfs-commands';
import { ZfsSnapshotTag } from '@rackops/core/replication/zfs-names';
import { RackOpsError } from '@rackops/core/util/errors';
import { parseOrThrow } from '@rackops/core/util/zod-errors';
import { RemoteCommandError } from '../zfs/ssh-link';
import { markSet, PROMOTED_MARK, readProp, REPLICA_MARK } from '../zfs/zfs-props';
import type { ZfsAppliances, ZfsSession } from '../zfs/zfs-appliance';
import type { CommandHandler } from './command-context';

async function onAppliance<T>(
  appliances: ZfsAppliances,
  id: string,
  work: (s: ZfsSession) => Promise<T>,
): Promise<T> {
  const s = await appliances.get(id).connect();
  try {
    return await work(s);
  } finally {
    s.close();
  }
}

/**
 * zfs.clone — a writable clone of a replica snapshot (the group's newest by default) for a test failover.
 * Replication goes on into the replica meanwhile: the clone depends only on its origin snapshot. The clone's
 * name and origin are kept in the ledger before it is made, so a redelivery finds it instead of making another.
 */
export function createZfsCloneHandler(appliances: ZfsAppliances): CommandHandler<'zfs.clone'> {
  return async (raw, ctx) => {
    const p = parseOrThrow(ZfsDrCommandParams['zfs.clone'], raw, 'zfs.clone params');
    return onAppliance(appliances, ctx.target.id, async (s) => {
      const snaps = await s.snapshots(p.dataset);
      if (snaps === undefined) throw new RackOpsError('not_found', `dataset ${p.dataset} does not exist`);
      let origin = ctx.memo.get<string>('origin');
      if (!origin) {
        origin =
          p.snapshot ?? snaps.filter((x) => parseSnapshotTag(p.group, x.tag) !== undefined).at(-1)?.tag;
        if (!origin)
          throw new RackOpsError('no_replica', `${p.dataset} holds no replica of ${p.group} to clone`);
        ctx.memo.set('origin', origin);
      }
      if (!snaps.some((x) => x.tag === origin))
        throw new RackOpsError('not_found', `${p.dataset}@${origin} does not exist`);
      let clone = ctx.memo.get<string>('clone');
      if (!clone) {
        clone = cloneName(p.dataset, p.group, ctx.now());
        ctx.memo.set('clone', clone);
      }
      const existing = await readProp(s, clone, 'origin');
      if (existing !== undefined && existing !== `${p.dataset}@${origin}`) {
        throw new RackOpsError('clone_conflict', `${clone} exists with origin ${existing.slice(0, 200)}`);
      }
      if (existing === undefined) {
        await ctx.progress(`cloning ${p.dataset}@${origin} to ${clone}`);
        await s.run({ verb: 'clone', dataset: p.dataset, tag: origin, clone });
      }
      // The appliance's answer becomes a datastore directory: only an absolute path of plain segments.
      const mountpoint = parseOrThrow(
        ZfsMountpoint,
        await readProp(s, clone, 'mountpoint'),
        `${clone} mountpoint`,
      );
      return { clone, origin, mountpoint, created: existing === undefined };
    });
  };
}

/**
 * zfs.destroy-clone — only a clone this group's test failover made (by name, and a clone by its origin: a
 * snapshot of this group). Anything else is refused; a clone already gone is success.
 */
export function createZfsDestroyCloneHandler(appliances: ZfsAppliances): CommandHandler<'zfs.destroy-clone'> {
  return async (raw, ctx) => {
    const p = parseOrThrow(ZfsDrCommandParams['zfs.destroy-clone'], raw, 'zfs.destroy-clone params');
    if (!isGroupClone(p.clone, p.group)) {
      throw new RackOpsError(
        'not_a_rackops_clone',
        `${p.clone} is not a test clone of ${p.group}: not destroyed`,
      );
    }
    return onAppliance(appliances, ctx.target.id, async (s) => {
      const origin = await readProp(s, p.clone, 'origin');
      if (origin === undefined) return { destroyed: false };
      const tag = origin.includes('@') ? origin.slice(origin.indexOf('@') + 1) : '';
      if (parseSnapshotTag(p.group, tag) === undefined) {
        throw new RackOpsError(
          'not_a_rackops_clone',
          `${p.clone} is not a clone of a ${p.group} replica (origin ${origin.slice(0, 200)}): not destroyed`,
        );
      }
      await ctx.progress(`destroying ${p.clone}`);
      // zfs-fuse calls a clone busy while it unmounts it; a few tries, then the appliance's own answer.
      for (let attempt = 1; ; attempt++) {
        try {
          await s.run({ verb: 'destroy-clone', clone: p.clone });
          return { destroyed: true };
        } catch (err) {
          if (!(err instanceof RemoteCommandError && /busy/.test(err.stderr)) || attempt >= 10) throw err;
          await ctx.sleep(1000);
        }
      }
    });
  };
}

/**
 * zfs.promote — the replica becomes the live copy for a failover: rolled back to the named snapshot (what
 * was replicated last; anything newer on the replica goes), marked promoted and made writable. Only a dataset
 * zfs.replicate marked as this group's replica is promoted (a source dataset never is), and one already
 * promoted is never rolled back again: VMs at DR may have written to it since.
 */
export function createZfsPromoteHandler(appliances: ZfsAppliances): CommandHandler<'zfs.promote'> {
  return async (raw, ctx) => {
    const p = parseOrThrow(ZfsDrCommandParams['zfs.promote'], raw, 'zfs.promote params');
    if (parseSnapshotTag(p.group, p.snapshot) === undefined) {
      throw new RackOpsError('not_found', `${p.snapshot} is not a replica snapshot of ${p.group}`);
    }
    return onAppliance(appliances, ctx.target.id, async (s) => {
      const replicaOf = await readProp(s, p.dataset, REPLICA_MARK);
      if (replicaOf === undefined) throw new RackOpsError('not_found', `dataset ${p.dataset} does not exist`);
      if (replicaOf !== p.group) {
        throw new RackOpsError('not_a_replica', `${p.dataset} is not a replica of ${p.group}: not promoted`);
      }
      const promoted = await readProp(s, p.dataset, PROMOTED_MARK);
      if (markSet(promoted)) {
        const from = parseOrThrow(ZfsSnapshotTag, promoted, `${p.dataset} ${PROMOTED_MARK}`);
        return {
          snapshot: from,
          rolledBack: false,
          writable: true,
          mountpoint: await mountpointOf(s, p.dataset),
        };
      }
      const snaps = await s.snapshots(p.dataset);
      if (!snaps?.some((x) => x.tag === p.snapshot)) {
        throw new RackOpsError('not_found', `${p.dataset}@${p.snapshot} does not exist`);
      }
      await ctx.progress(`rolling ${p.dataset} back to ${p.snapshot} and making it writable`);
      await s.run({ verb: 'rollback', dataset: p.dataset, tag: p.snapshot });
      // Marked before it is writable: from here on, replication refuses to receive into it.
      await s.run({ verb: 'mark', dataset: p.dataset, property: PROMOTED_MARK, value: p.snapshot });
      await s.run({ verb: 'set-writable', dataset: p.dataset });
      return {
        snapshot: p.snapshot,
        rolledBack: true,
        writable: true,
        mountpoint: await mountpointOf(s, p.dataset),
      };
    });
  };
}

/** The appliance's answer becomes a datastore's export path: only an absolute path of plain segments. */
async function mountpointOf(s: ZfsSession, dataset: string): Promise<string> {
  return parseOrThrow(ZfsMountpoint, await readProp(s, dataset, 'mountpoint'), `${dataset} mountpoint`);
}

/**
 * zfs.demote — the second confirmation of a failover's roll back: the promoted replica is rolled back to the
 * snapshot it was promoted from (what VMs wrote at DR goes; the snapshot, replicated from the source, stays),
 * unmarked and read-only again, so replication into it resumes. Only this group's replica; one not promoted
 * (never, or already demoted: a redelivery) is left as it is.
 */
export function createZfsDemoteHandler(appliances: ZfsAppliances): CommandHandler<'zfs.demote'> {
  return async (raw, ctx) => {
    const p = parseOrThrow(ZfsDrCommandParams['zfs.demote'], raw, 'zfs.demote params');
    return onAppliance(appliances, ctx.target.id, async (s) => {
      const replicaOf = await readProp(s, p.dataset, REPLICA_MARK);
      if (replicaOf === undefined) throw new RackOpsError('not_found', `dataset ${p.dataset} does not exist`);
      if (replicaOf !== p.group)
        throw new RackOpsError('not_a_replica', `${p.dataset} is not a replica of ${p.group}: not demoted`);
      const promoted = await readProp(s, p.dataset, PROMOTED_MARK);
      if (!markSet(promoted)) return { demoted: false };
      const from = parseOrThrow(ZfsSnapshotTag, promoted, `${p.dataset} ${PROMOTED_MARK}`);
      await ctx.progress(`discarding what changed on ${p.dataset} since ${from}`);
      await s.run({ verb: 'rollback', dataset: p.dataset, tag: from });
      await s.run({ verb: 'set-readonly', dataset: p.dataset });
      // Unmarked last: until here a replication still refuses to receive into it.
      await s.run({ verb: 'unmark', dataset: p.dataset, property: 'rackops:promoted' });
      return { snapshot: from, demoted: true };
    });
  };
}

/**
 * zfs.source-readonly — a planned failover's source is made read-only before its final snapshot (a write after
 * it would be rolled back by the first reverse sync after a Commit) and writable again when the failover stops
 * before the promotion or is rolled back. Only a live copy: a dataset marked as a replica is refused, unless a
 * failover promoted it (the live copy at DR, whose failback this is). At a Commit (`handover`) such a source
 * loses its promoted mark: it is the replica now. Setting a value it has is a no-op in ZFS, so a redelivery
 * changes nothing.
 */
export function createZfsSourceReadonlyHandler(
  appliances: ZfsAppliances,
): CommandHandler<'zfs.source-readonly'> {
  return async (raw, ctx) => {
    const p = parseOrThrow(ZfsDrCommandParams['zfs.source-readonly'], raw, 'zfs.source-readonly params');
    return onAppliance(appliances, ctx.target.id, async (s) => {
      const replicaOf = await readProp(s, p.dataset, REPLICA_MARK);
      if (replicaOf === undefined) throw new RackOpsError('not_found', `dataset ${p.dataset} does not exist`);
      const promoted = await readProp(s, p.dataset, PROMOTED_MARK);
      const live = replicaOf === '-' || (replicaOf === p.group && markSet(promoted));
      if (!live) {
        throw new RackOpsError(
          'not_a_source',
          `${p.dataset} is a replica of ${replicaOf.slice(0, 100)}, not the source of ${p.group}: left as it is`,
        );
      }
      await ctx.progress(`${p.dataset} ${p.readonly ? 'read-only' : 'writable'}`);
      await s.run({ verb: p.readonly ? 'set-readonly' : 'set-writable', dataset: p.dataset });
      // Only once it is read-only: from here on it is a replica, and replication may receive into it.
      const unmark = p.readonly && p.handover === true && markSet(promoted);
      if (unmark) await s.run({ verb: 'unmark', dataset: p.dataset, property: 'rackops:promoted' });
      return { dataset: p.dataset, readonly: p.readonly, ...(unmark ? { unmarked: true } : {}) };
    });
  };
}
