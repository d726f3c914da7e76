import { COMMANDS, COMPILED, type CommandName, type CompiledCommand } from './commands';
import { editDistance } from '@rackops/core/util/edit-distance';
import { bindArgs, slotLabel } from './usage';

export type ParsedCommand = {
  [N in CommandName]: { name: N; args: import('./commands').ArgsOf<N> };
}[CommandName];

export type ParseResult =
  | { ok: true; command: ParsedCommand }
  | { ok: false; message: string; suggestion?: string };

/** Longest accepted chat message; anything longer is not a command. */
export const MAX_COMMAND_LENGTH = 2000;

/** Strip Teams mentions (`<at>RackOps</at>`) and other markup, collapse whitespace. */
export function normalize(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Split on spaces; "double quotes" keep spaces inside one value. */
export function tokenize(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

function matchCommand(tokens: string[]): CompiledCommand | undefined {
  const lower = tokens.map((t) => t.toLowerCase());
  return COMPILED.find((c) => c.spec.words.every((w, i) => lower[i] === w));
}

/** The command whose words are closest to what was typed. */
export function closestCommand(tokens: string[]): CompiledCommand | undefined {
  const lower = tokens.map((t) => t.toLowerCase());
  let best: { c: CompiledCommand; d: number } | undefined;
  let bestLen = 0;
  for (const c of COMPILED) {
    // Compare as many words as were typed (`updat` is close to `update cluster`'s first word).
    const k = Math.min(c.spec.words.length, Math.max(lower.length, 1));
    const wanted = c.spec.words.slice(0, k).join(' ');
    const d = editDistance(lower.slice(0, k).join(' '), wanted);
    if (!best || d < best.d) {
      best = { c, d };
      bestLen = wanted.length;
    }
  }
  if (!best) return undefined;
  return best.d <= Math.max(2, Math.floor(bestLen / 2)) ? best.c : undefined;
}

/**
 * A longer command under the one matched whose words are a typo away (`pg ad-vm` for `pg add-vm`): the short
 * one matched only because it takes a value where the typo stands.
 */
function closeSubcommand(cmd: CompiledCommand, tokens: string[]): CompiledCommand | undefined {
  const lower = tokens.map((t) => t.toLowerCase());
  const prefix = cmd.spec.words;
  let best: { c: CompiledCommand; d: number } | undefined;
  for (const c of COMPILED) {
    if (c.spec.words.length <= prefix.length || !prefix.every((w, i) => c.spec.words[i] === w)) continue;
    const k = c.spec.words.length;
    const d = editDistance(
      lower.slice(prefix.length, k).join(' '),
      c.spec.words.slice(prefix.length).join(' '),
    );
    if (d <= 2 && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

export function parseCommand(text: string): ParseResult {
  if (text.length > MAX_COMMAND_LENGTH)
    return { ok: false, message: 'That message is too long to be a command.' };
  const tokens = tokenize(normalize(text));
  if (!tokens.length) return { ok: false, message: 'Type `help` to see what I can do.', suggestion: 'help' };
  const cmd = matchCommand(tokens);
  if (!cmd) {
    const near = closestCommand(tokens);
    const typed = tokens.slice(0, 2).join(' ').slice(0, 40);
    return near
      ? {
          ok: false,
          message: `I don't know \`${typed}\`. Did you mean \`${near.spec.display}\`? (\`help\` lists everything)`,
          suggestion: near.spec.display,
        }
      : {
          ok: false,
          message: `I don't know \`${typed}\`. Type \`help\` to see the commands.`,
          suggestion: 'help',
        };
  }
  const bound = bindArgs(cmd.spec, tokens.slice(cmd.spec.words.length));
  const usage = `Usage: \`${cmd.spec.display}\` — e.g. \`${cmd.def.examples[0] ?? cmd.spec.display}\``;
  if ('error' in bound) {
    const sub = closeSubcommand(cmd, tokens);
    if (sub)
      return {
        ok: false,
        message: `I don't know \`${tokens.slice(0, sub.spec.words.length).join(' ').slice(0, 40)}\`. Did you mean \`${sub.spec.display}\`? (\`help ${cmd.spec.words.join(' ')}\`)`,
        suggestion: sub.spec.display,
      };
    return { ok: false, message: `${capitalize(bound.error)}. ${usage}`, suggestion: cmd.spec.display };
  }
  const parsed = COMMANDS[cmd.name].args.safeParse(bound.args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = slotLabel(cmd.spec, String(issue?.path[0] ?? ''));
    return {
      ok: false,
      message: `Bad \`${field}\`: ${issue?.message ?? 'invalid'}. ${usage}`,
      suggestion: cmd.spec.display,
    };
  }
  return { ok: true, command: { name: cmd.name, args: parsed.data } as ParsedCommand };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
