/**
 * One attack tried against a real component (the agent's processor and handlers against the lab, the result
 * handler against dynalite, the bot's card and chat handlers, the URL policy with real DNS on loopback).
 * `refused` means the component said no and changed nothing; `escaped` is anything else — the bench's target
 * is zero escapes.
 */
export interface AttackOutcome {
  area: string;
  name: string;
  refused: boolean;
  /** What the component answered (an error code, the refusal), or what got through. */
  detail: string;
}

/** A file `bench/src/security/<area>.attacks.ts` exports `run`, which tries its catalogue and cleans up. */
export type AttackCatalogue = () => Promise<AttackOutcome[]>;
