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

export const container = (items: Element[], extra: Element = {}): Element => ({
  type: 'Container',
  items,
  ...extra,
});

/** A cell of a table row: its text and width (`auto`, `stretch`, a weight, or pixels like `24px`). */
export interface Cell {
  text: string;
  width: string | number;
  extra?: Element;
}

/**
 * A table row as a ColumnSet: the AC 1.5 Table element does not render in Web Chat (AC 1.3 here), and a
 * fallback would double every row's bytes; ColumnSet rows look the same in Teams and in Web Chat.
 */
export const tableRow = (cells: Cell[], extra: Element = {}): Element => ({
  type: 'ColumnSet',
  spacing: 'Small',
  // Cells carry only what they need (no wrap unless asked): a 32-host table must fit beside the rest.
  columns: cells.map((c) => ({
    type: 'Column',
    width: c.width,
    items: [{ type: 'TextBlock', text: c.text, ...c.extra }],
  })),
  ...extra,
});

/** Shows or hides elements in place (AC 1.2: Teams and Web Chat both run it, no round trip to the bot). */
export const toggle = (title: string, targets: string[]): Element => ({
  type: 'Action.ToggleVisibility',
  title,
  targetElements: targets,
});
