import { COMPILED } from './commands';
import { closestCommand, tokenize } from './parse';

let helpAllText: string | undefined;

/**
 * `help`: every command, one line each, generated from the same definitions the parser uses. The commands are
 * fixed when the module loads, so the text is built (sorted with localeCompare) once, not on every `help`.
 */
export function helpAll(): string {
  helpAllText ??= buildHelpAll();
  return helpAllText;
}

function buildHelpAll(): string {
  const ordered = [...COMPILED].sort((a, b) => a.spec.display.localeCompare(b.spec.display));
  const ready = ordered.filter((c) => !c.def.unavailable);
  const later = ordered.filter((c) => c.def.unavailable);
  return [
    '**RackOps commands** (`help COMMAND` for details)',
    '',
    ...ready.map((c) => `- \`${c.spec.display}\` — ${c.def.summary} _(${c.def.role})_`),
    ...(later.length
      ? ['', `Not available yet: ${later.map((c) => `\`${c.spec.words.join(' ')}\``).join(', ')}`]
      : []),
  ].join('\n');
}

/** `help COMMAND`: usage, what it does, role needed, examples. */
export function helpFor(words: string[]): string {
  const lower = words.map((w) => w.toLowerCase());
  const exact =
    COMPILED.find((c) => c.spec.words.join(' ') === lower.join(' ')) ??
    COMPILED.find((c) => c.spec.words.every((w, i) => lower[i] === w)) ??
    COMPILED.find((c) => c.spec.words[0] === lower[0]);
  const cmd = exact ?? closestCommand(tokenize(lower.join(' ')));
  if (!cmd) return `No command \`${words.join(' ')}\`. Type \`help\` to see the commands.`;
  return [
    `**${cmd.spec.display}**${cmd.def.unavailable ? ' — _not available yet_' : ''}`,
    '',
    `${cmd.def.summary}.`,
    ...(cmd.def.details ? ['', cmd.def.details] : []),
    '',
    `Role needed: **${cmd.def.role}**`,
    `Examples: ${cmd.def.examples.map((e) => `\`${e}\``).join(', ')}`,
    ...(exact ? [] : ['', `(closest to \`${words.join(' ')}\`)`]),
  ].join('\n');
}
