import type { AdaptiveCard } from '@microsoft/teams-ai';
import type { CardVerb } from './card-data';

export type Element = Record<string, unknown>;

/** Adaptive Cards 1.5 for Teams. Web Chat renders the 1.3 subset (see actions below). */
export function card(body: Element[], actions: Element[] = []): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(actions.length ? { actions } : {}),
  };
}

export const text = (t: string, extra: Element = {}): Element => ({
  type: 'TextBlock',
  text: t,
  wrap: true,
  ...extra,
});
export const heading = (t: string): Element => text(t, { size: 'Medium', weight: 'Bolder' });
export const facts = (pairs: [string, string][]): Element => ({
  type: 'FactSet',
  facts: pairs.map(([title, value]) => ({ title, value })),
});

/**
 * A Universal Action (`Action.Execute`) with an `Action.Submit` fallback carrying the same verb and data:
 * Teams runs the Execute; Bot Framework Web Chat (which cannot) renders the fallback. The bot routes both to one
 * handler. `data.verb` is what teams-ai's actionSubmit route matches on.
 */
export function action(
  title: string,
  verb: CardVerb,
  data: Record<string, unknown>,
  style?: 'positive' | 'destructive',
): Element {
  const common = { title, ...(style ? { style } : {}) };
  return {
    type: 'Action.Execute',
    ...common,
    verb,
    data,
    fallback: { type: 'Action.Submit', ...common, data },
  };
}

export function cardBytes(c: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(c), 'utf8');
}
