import { Writable } from 'node:stream';
import { REDACTING_LOGGER, SECRET_KEY_NAMES } from '@rackops/core/util/redaction';
import { createLogger } from '@rackops/relay-agent/log/logger';
import { REDACTION_SHAPES, type RedactionShape } from '@rackops/relay-agent/testing/redaction-shapes';
import { type Logger, pino } from 'pino';
import type { AttackCatalogue, AttackOutcome } from './attack';

/**
 * Item 6 of the hardening issue: secrets a handler logs by mistake. Each case goes through a real logger — the
 * relay agent's `createLogger`, or pino with the options the bot, the Lambdas and `npm start` use — writing to a
 * stream; it is refused when none of its secrets appears in what was written. Cases: the named shapes (the
 * log-redaction test's), then every secret key name in four spellings at four depths, as a field and as a
 * child binding, and credentials in URLs of every scheme the agent meets.
 */

const spellings = (key: string): string[] => {
  const words = key.split(/(?=[A-Z])|[-_]/).filter(Boolean);
  return [
    key,
    key.toUpperCase(),
    words.map((w) => w[0]?.toUpperCase() + w.slice(1).toLowerCase()).join('-'),
    words.map((w) => w.toLowerCase()).join('_'),
  ];
};

const nest = (depth: number, leaf: Record<string, unknown>): Record<string, unknown> =>
  depth <= 1 ? leaf : { [`level${depth}`]: nest(depth - 1, leaf) };

function generated(): RedactionShape[] {
  const out: RedactionShape[] = [];
  let n = 0;
  for (const key of SECRET_KEY_NAMES)
    for (const spelled of spellings(key))
      for (const depth of [1, 3, 4, 7]) {
        const secret = `gen-secret-${++n}-${spelled.length}`;
        out.push({
          name: `${spelled} at depth ${depth}`,
          log: { obj: nest(depth, { [spelled]: secret }) },
          secrets: [secret],
        });
        if (depth === 3) {
          const bound = `gen-bound-${n}`;
          out.push({
            name: `${spelled} in a child binding`,
            log: { bindings: nest(2, { [spelled]: bound }), msg: 'child' },
            secrets: [bound],
          });
        }
      }
  for (const scheme of ['https', 'http', 'nfs', 'cifs', 'smb', 'ftp', 'sftp'])
    for (const where of ['field', 'message', 'array', 'error'] as const) {
      const secret = `url-pw-${scheme}-${where}`;
      const url = `${scheme}://admin:${secret}@10.1.2.3/share/image.iso`;
      const log: RedactionShape['log'] =
        where === 'field'
          ? { obj: { media: { image: url } } }
          : where === 'message'
            ? { msg: `inserting ${url}` }
            : where === 'array'
              ? { obj: { tried: ['https://ok.example/a.iso', url] } }
              : { obj: { err: new Error(`GET ${url} failed: 404`) } };
      out.push({ name: `${scheme} URL credentials in a ${where}`, log, secrets: [secret] });
    }
  for (const param of ['password', 'passwd', 'token', 'access_token', 'api_key', 'sig', 'client_secret']) {
    const secret = `qs-${param}-secret`;
    out.push({
      name: `?${param}= in a URL`,
      log: { obj: { url: `https://repo.lab/catalog.xml?user=a&${param}=${secret}&x=1` } },
      secrets: [secret],
    });
  }
  return out;
}

function capture(kind: 'relay' | 'service'): { lines: string[]; log: Logger } {
  const lines: string[] = [];
  const stream = new Writable({
    write: (c: Buffer, _e, cb) => {
      lines.push(c.toString());
      cb();
    },
  });
  return {
    lines,
    log:
      kind === 'relay'
        ? createLogger('debug', stream)
        : pino({ ...REDACTING_LOGGER, level: 'debug', name: 'bot' }, stream),
  };
}

export const run: AttackCatalogue = async () => {
  const outcomes: AttackOutcome[] = [];
  const shapes = [...REDACTION_SHAPES, ...generated()];
  shapes.forEach((shape, i) => {
    const kind = i % 2 === 0 ? 'relay' : 'service';
    const { lines, log } = capture(kind);
    const target = shape.log.bindings ? log.child(shape.log.bindings) : log;
    target.warn(shape.log.obj ?? {}, shape.log.msg ?? 'logged by mistake');
    const out = lines.join('');
    const leaked = shape.secrets.filter((s) => out.includes(s));
    outcomes.push({
      area: 'redaction',
      name: `${shape.name} (${kind} logger)`,
      refused: out.length > 0 && leaked.length === 0,
      detail: leaked.length ? `leaked ${leaked.join(', ')}: ${out.slice(0, 200)}` : out.slice(0, 120).trim(),
    });
  });
  return outcomes;
};
