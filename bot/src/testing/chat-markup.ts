import type { Activity } from 'botbuilder';
import { cardOf } from './harness';

/**
 * What a markdown renderer takes for HTML instead of text. Web Chat renders markdown with HTML on and then
 * sanitizes, so `<name>` outside code vanishes (`Missing .`); Teams escapes it inside code spans and shows
 * `&lt;name&gt;`. Entities are the same trouble from the other side: shown literally inside code.
 */
const HTML_TAG = /<\/?[A-Za-z][\w:-]*(?:\s[^<>]*)?\/?>/g;
const HTML_ENTITY = /&(?:#\d+|#x[\da-f]+|[a-z][a-z\d]*);/gi;

export function markupHazards(text: string): string[] {
  return [...(text.match(HTML_TAG) ?? []), ...(text.match(HTML_ENTITY) ?? [])];
}

/** Every piece of text a person sees in a message: its text and each text of its card (TextBlocks, facts, buttons). */
export function visibleTexts(activity: Partial<Activity>): string[] {
  const out = typeof activity.text === 'string' ? [activity.text] : [];
  const card = cardOf(activity);
  if (card)
    JSON.stringify(card, (key, value: unknown) => {
      if (typeof value === 'string' && ['text', 'title', 'value', 'placeholder', 'label'].includes(key))
        out.push(value);
      return value;
    });
  return out;
}
