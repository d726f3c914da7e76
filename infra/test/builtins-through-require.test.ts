import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtinsThroughRequire } from '../src/bundle-plugins';
import { LAMBDA_BUNDLE } from '../src/bundling';

describe("Node's built-ins in an ES module bundle", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rackops-builtins-'));
    writeFileSync(
      join(root, 'entry.mjs'),
      `import https from 'node:https';
import { request } from 'http';
import * as path from 'node:path';
import { readFile } from 'fs/promises';
export const got = { https, request, join: path.join, readFile };`,
    );
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const bundle = async (plugins: ReturnType<typeof builtinsThroughRequire>[]) => {
    const outfile = join(root, `out-${plugins.length}.mjs`);
    await build({
      entryPoints: [join(root, 'entry.mjs')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      banner: { js: LAMBDA_BUNDLE.banner },
      plugins,
      logLevel: 'silent',
    });
    return outfile;
  };
  const staticImports = (code: string) => code.match(/^import\s[^;]*from\s*"(node:)?[a-z_/]+";/gm) ?? [];

  it('are required, not imported (no ES module facade), and are the same objects', async () => {
    const plain = await bundle([]);
    expect(staticImports(readFileSync(plain, 'utf8')).length).toBeGreaterThan(0); // what esbuild does alone
    const outfile = await bundle([builtinsThroughRequire()]);
    expect(staticImports(readFileSync(outfile, 'utf8'))).toEqual([]);
    const { got } = (await import(pathToFileURL(outfile).href)) as {
      got: { https: unknown; request: unknown; join: unknown; readFile: unknown };
    };
    const [https, http, path, fsp] = await Promise.all([
      import('node:https'),
      import('node:http'),
      import('node:path'),
      import('node:fs/promises'),
    ]);
    expect(got.https).toBe(https.default);
    expect(got.request).toBe(http.request);
    expect(got.join).toBe(path.join);
    expect(got.readFile).toBe(fsp.readFile);
  });
});
