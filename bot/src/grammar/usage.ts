/**
 * The usage mini-language every command is declared in; the parser and `help` both read it, so they cannot drift.
 *   words           literal command words, lower case (`update cluster`)
 *   NAME            required value, upper case, stored under its lower-case name (`NAME` -> args.name)
 *   [NAME]          optional value
 *   [kw NAME]       optional keyword with a value, stored under the keyword (`[at TIME]` -> args.at)
 *   [flag]          optional flag (`[dry-run]`)
 *   [name:a|b]      optional choice, stored under `name` (`[mode:graceful|now]`)
 *   [REST...]       optional value taking every remaining word
 *   REST...         required value taking every remaining word (`SCHEDULE...` -> args.schedule), last only
 * Placeholders are upper-case words, never `<name>`: chat renders markdown, and Web Chat drops `<name>` as an
 * unknown HTML tag while Teams shows it as `&lt;name&gt;` inside code. Plain capitals survive both.
 */
export type Slot =
  | { kind: 'value'; name: string; optional: boolean; rest?: true }
  | { kind: 'keyword'; keyword: string; name: string }
  | { kind: 'flag'; keyword: string }
  | { kind: 'choice'; name: string; options: string[] };

export interface UsageSpec {
  words: string[];
  slots: Slot[];
  /** Usage as shown to people (choice names stripped). */
  display: string;
}

const PLACEHOLDER = /^[A-Z][A-Z-]*$/;

/** How a value slot is shown to people: its name in capitals (`name` -> `NAME`). */
export const placeholder = (name: string): string => name.toUpperCase();

export function parseUsage(usage: string): UsageSpec {
  const parts = usage.match(/\[[^\]]+\]|\S+/g) ?? [];
  const words: string[] = [];
  const slots: Slot[] = [];
  for (const part of parts) {
    if (part.startsWith('[')) {
      const inner = part.slice(1, -1).trim();
      const kv = inner.match(/^([a-z-]+) ([A-Z][A-Z-]*)$/);
      const choice = inner.match(/^([a-z]+):([a-z|-]+)$/);
      if (kv?.[1] && kv[2]) slots.push({ kind: 'keyword', keyword: kv[1], name: kv[2].toLowerCase() });
      else if (choice?.[1] && choice[2])
        slots.push({ kind: 'choice', name: choice[1], options: choice[2].split('|') });
      else if (inner.endsWith('...') && PLACEHOLDER.test(inner.slice(0, -3)))
        slots.push({ kind: 'value', name: inner.slice(0, -3).toLowerCase(), optional: true, rest: true });
      else if (PLACEHOLDER.test(inner))
        slots.push({ kind: 'value', name: inner.toLowerCase(), optional: true });
      else if (/^[a-z-]+$/.test(inner)) slots.push({ kind: 'flag', keyword: inner });
      else throw new Error(`bad usage group ${part} in "${usage}"`);
    } else if (part.endsWith('...') && PLACEHOLDER.test(part.slice(0, -3))) {
      slots.push({ kind: 'value', name: part.slice(0, -3).toLowerCase(), optional: false, rest: true });
    } else if (PLACEHOLDER.test(part)) {
      slots.push({ kind: 'value', name: part.toLowerCase(), optional: false });
    } else if (!/^[a-z-]+$/.test(part)) {
      throw new Error(`bad usage word ${part} in "${usage}"`);
    } else {
      if (slots.length) throw new Error(`literal "${part}" after arguments in "${usage}"`);
      words.push(part);
    }
  }
  return { words, slots, display: usage.replace(/\[[a-z]+:/g, '[') };
}

export type RawArgs = Record<string, string | boolean>;

/** Fill the slots from tokens. Keywords, flags and choices may come in any order after the command words. */
export function bindArgs(spec: UsageSpec, tokens: string[]): { args: RawArgs } | { error: string } {
  const args: RawArgs = {};
  const values = spec.slots.filter((s): s is Extract<Slot, { kind: 'value' }> => s.kind === 'value');
  let nextValue = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    const lower = token.toLowerCase();
    const slot = spec.slots.find(
      (s) =>
        ((s.kind === 'keyword' || s.kind === 'flag') && s.keyword === lower && !(keyOf(s) in args)) ||
        (s.kind === 'choice' && s.options.includes(lower) && !(s.name in args)),
    );
    if (slot?.kind === 'keyword') {
      const value = tokens[i + 1];
      if (value === undefined)
        return { error: `\`${slot.keyword}\` needs a value: \`${slot.keyword} ${placeholder(slot.name)}\`` };
      args[slot.keyword] = value;
      i++;
    } else if (slot?.kind === 'flag') {
      args[slot.keyword] = true;
    } else if (slot?.kind === 'choice') {
      args[slot.name] = lower;
    } else {
      const v = values[nextValue++];
      if (!v) return { error: `unexpected \`${token}\`` };
      if (v.rest) {
        // The rest of the message, quotes restored around values that hold spaces (a cron expression).
        args[v.name] = tokens
          .slice(i)
          .map((t) => (/\s/.test(t) ? `"${t}"` : t))
          .join(' ');
        break;
      }
      args[v.name] = token;
    }
  }
  const missing = values.filter((v) => !v.optional && !(v.name in args));
  if (missing.length) return { error: `missing ${missing.map((m) => placeholder(m.name)).join(' ')}` };
  return { args };
}

function keyOf(s: Slot): string {
  return s.kind === 'flag' || s.kind === 'keyword' ? s.keyword : s.name;
}

/** The part of the usage an argument came from, as people see it (`name` -> `NAME`, `batch` -> `batch N`). */
export function slotLabel(spec: UsageSpec, key: string): string {
  const slot = spec.slots.find((s) => keyOf(s) === key);
  switch (slot?.kind) {
    case 'value':
      return placeholder(slot.name);
    case 'keyword':
      return `${slot.keyword} ${placeholder(slot.name)}`;
    case 'flag':
      return slot.keyword;
    case 'choice':
      return slot.options.join('|');
    default:
      return placeholder(key || 'arguments');
  }
}
