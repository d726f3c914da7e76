import type { Actor } from '@rackops/core/jobs/job.schema';
import type { BotConfig, Person } from './config';

/** The ids an activity's `from` carries: the channel's user id always, the AAD object id when the channel has one. */
export interface IncomingIds {
  id: string;
  aadObjectId?: string | undefined;
  name?: string | undefined;
}

/**
 * Who sent a message, as one principal:
 * - `person`: listed in `people`; `ids` are all of theirs, whichever one the message carried.
 * - `unlisted`: known only by the message's ids; resolvable when it carries an AAD object id (the directory's
 *   one id per person), not when it carries just a channel id (a second channel id could be the same person).
 * - `conflict`: the message's ids belong to different people (or an AAD id other than the listed one): refused.
 */
export type Identity =
  | { kind: 'person'; person: string; actor: Actor }
  | { kind: 'unlisted'; actor: Actor }
  | { kind: 'conflict'; people: string[]; actor: Actor };

const idsOfPerson = (p: Person): string[] => [...p.aadObjectIds, ...p.teamsIds];
const clip = (s: string): string => s.slice(0, 200);

export function resolveIdentity(config: Pick<BotConfig, 'people'>, from: IncomingIds): Identity {
  const aad = from.aadObjectId ? clip(from.aadObjectId) : undefined;
  const incoming = [clip(from.id), ...(aad ? [aad] : [])];
  const name = from.name ? { name: clip(from.name) } : {};
  const fallbackId = aad ?? clip(from.id);
  const matched = config.people.filter((p) => idsOfPerson(p).some((id) => incoming.includes(id)));
  const [only, ...others] = matched;
  if (!only) {
    const unresolved = aad ? {} : { unresolved: true as const };
    return {
      kind: 'unlisted',
      actor: { kind: 'user', id: fallbackId, ...name, ids: incoming, ...unresolved },
    };
  }
  const allIds = [...new Set([...incoming, ...matched.flatMap(idsOfPerson)])].slice(0, 50);
  // Teams pairs a user id with exactly one AAD object id: another one than listed is a spoof or a config error.
  const aadMismatch = !!aad && only.aadObjectIds.length > 0 && !only.aadObjectIds.includes(aad);
  if (others.length > 0 || aadMismatch)
    return {
      kind: 'conflict',
      people: matched.map((p) => p.name),
      actor: { kind: 'user', id: fallbackId, ...name, ids: allIds },
    };
  // One stable id per person (the directory id first), so audits by actor group a person's actions together.
  const id = only.aadObjectIds[0] ?? only.teamsIds[0] ?? fallbackId;
  return {
    kind: 'person',
    person: only.name,
    actor: { kind: 'user', id, ...(from.name ? name : { name: only.name }), ids: allIds },
  };
}

/** Why a sender whose ids belong to different people may do nothing, or undefined when they are one person. */
export function identityRefusal(identity: Identity): string | undefined {
  if (identity.kind !== 'conflict') return undefined;
  const who = identity.people.join(' and ');
  return identity.people.length > 1
    ? `⛔ The ids this message carries belong to different people in the bot config (${who}). Nothing was done; an admin must fix \`people\`.`
    : `⛔ This message's AAD object id is not the one listed for ${who} in the bot config. Nothing was done; an admin must fix \`people\`.`;
}
