import { createHash } from 'node:crypto';
import { canonicalJson } from '../relay/envelope';

/**
 * Content hash of an inventory record: sha256 over canonical JSON (keys sorted at every depth,
 * undefined dropped) of the parent and the validated data. The parent is part of it so that a
 * record that moved (a VM vMotioned to another host) is rewritten even if its data did not change.
 */
export function contentHash(parent: string, data: unknown): string {
  return createHash('sha256')
    .update(canonicalJson({ p: parent, d: data }))
    .digest('hex');
}
