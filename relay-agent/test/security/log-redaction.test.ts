import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger';
import { REDACTION_SHAPES } from '../../src/testing/redaction-shapes';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write: (c: Buffer, _e, cb) => {
      lines.push(c.toString());
      cb();
    },
  });
  return { lines, log: createLogger('debug', stream) };
}

describe('security: log redaction', () => {
  it.each(REDACTION_SHAPES.map((s) => [s.name, s] as const))('%s never reaches the log', (_name, shape) => {
    const { lines, log } = capture();
    const target = shape.log.bindings ? log.child(shape.log.bindings) : log;
    target.warn(shape.log.obj ?? {}, shape.log.msg ?? 'logged by mistake');
    const out = lines.join('');
    expect(out.length).toBeGreaterThan(0);
    for (const s of shape.secrets) expect(out, `${shape.name}: ${s}`).not.toContain(s);
    // Each line is still one JSON object with its message.
    expect(() => JSON.parse(lines[0] ?? '')).not.toThrow();
  });

  it('keeps what is not secret readable (host, user name, URL without its userinfo)', () => {
    const { lines, log } = capture();
    log.info({ host: 'TEST001', username: 'root', url: 'https://root:pw@10.0.0.5/redfish/v1' }, 'mounted');
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ host: 'TEST001', username: 'root', msg: 'mounted' });
    expect(line.url).toBe('https://***@10.0.0.5/redfish/v1');
  });

  it('every pino logger in the sources (except silent ones) goes through the redaction', () => {
    const root = join(import.meta.dirname, '../../..');
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.name === 'node_modules') continue;
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) {
          const src = readFileSync(p, 'utf8');
          for (const m of src.matchAll(/\bpino\(\{([^}]*)\}/g))
            if (!m[1]?.includes('REDACTING_LOGGER') && !m[1]?.includes("level: 'silent'"))
              offenders.push(`${p}: ${m[0]}`);
        }
      }
    };
    for (const pkg of ['core', 'bot', 'lambdas', 'relay-agent', 'local', 'bench'])
      walk(join(root, pkg, 'src'));
    expect(offenders).toEqual([]);
  });
});
