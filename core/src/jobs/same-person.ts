import type { Actor } from './job.schema';

/** Every id an actor is known by; actors recorded before `ids` existed have only `id`. */
export const idsOf = (a: Actor): string[] => [a.id, ...(a.ids ?? [])];

/**
 * Four-eyes compares people, not the one id a message happened to carry: two actors are the same person when
 * they share any id. `unknown` when either could not be tied to one person (an unlisted id without a directory
 * id could be anyone, including the requester), which four-eyes must treat as a refusal, never as "different".
 */
export function samePerson(a: Actor, b: Actor): 'same' | 'different' | 'unknown' {
  if (a.kind !== b.kind) return 'different';
  const mine = new Set(idsOf(a));
  if (idsOf(b).some((id) => mine.has(id))) return 'same';
  return a.unresolved || b.unresolved ? 'unknown' : 'different';
}
