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
  const incoming = [from.id, from.aadObjectId].filter((x): x is string => !!x).map(clip);
  const matched = config.people.filter((p) => idsOfPerson(p).some((id) => incoming.includes(id)));
  const name = from.name ? { name: clip(from.name) } : {};
  const allIds = [...new Set([...incoming, ...matched.flatMap(idsOfPerson)])].slice(0, 50);
  const only = matched[0];
  const aadMismatch =
    matched.length === 1 &&
    only !== undefined &&
    !!from.aadObjectId &&
    only.aadObjectIds.length > 0 &&
    !only.aadObjectIds.includes(clip(from.aadObjectId));
  if (matched.length > 1 || aadMismatch || !only) {
    if (matched.length === 0) {
      const actor: Actor = {
        kind: 'user',
        id: clip(from.aadObjectId || from.id),
        ...name,
        ids: incoming,
        ...(from.aadObjectId ? {} : { unresolved: true as const }),
      };
      return { kind: 'unlisted', actor };
    }
    const actor: Actor = { kind: 'user', id: clip(from.aadObjectId || from.id), ...name, ids: allIds };
    return { kind: 'conflict', people: matched.map((p) => p.name), actor };
  }
  // One stable id per person (the directory id first), so audits by actor group a person's actions together.
  const id = only.aadObjectIds[0] ?? only.teamsIds[0] ?? clip(from.id);
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
