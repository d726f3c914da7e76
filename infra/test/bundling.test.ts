import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { englishOnlyZodLocales, oneCopyPerVersion, standInModules } from '../src/bundle-plugins';
import { LAMBDA_BUNDLE, lambdaBuildOptions } from '../src/bundling';
import { REPO_ROOT } from '../src/handlers';

describe('Lambda bundle plugins', () => {
  let root: string;
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  const fakeZod = (dir: string, version: string) => {
    write(`${dir}/package.json`, JSON.stringify({ name: 'zod', version, main: 'index.js' }));
    write(`${dir}/index.js`, `module.exports = { copy: ${JSON.stringify(`${dir}@${version}`)} };`);
  };
  const bundle = async (entry: string, plugins: Parameters<typeof build>[0]['plugins']) => {
    const result = await build({
      entryPoints: [join(root, entry)],
      absWorkingDir: root,
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'cjs',
      plugins,
      logLevel: 'silent',
    });
    return { inputs: Object.keys(result.metafile.inputs), code: result.outputFiles[0]?.text ?? '' };
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rackops-plugins-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('bundles one copy per version of zod: identical nested copies merge, another version stays apart', async () => {
    fakeZod('core/node_modules/zod', '4.6.7');
    fakeZod('bot/node_modules/zod', '4.6.7');
    fakeZod('node_modules/zod', '3.25.76');
    write('core/a.js', "module.exports = require('zod');");
    write('bot/b.js', "module.exports = require('zod');");
    write('c.js', "module.exports = require('zod');");
    write('entry.js', "console.log(require('./core/a.js'), require('./bot/b.js'), require('./c.js'));");
    const { inputs } = await bundle('entry.js', [oneCopyPerVersion(['zod'])]);
    const copies = inputs.filter((i) => i.endsWith('zod/index.js')).sort();
    // bot/ sorts before core/: the canonical copy is the same on every build.
    expect(copies).toEqual(['bot/node_modules/zod/index.js', 'node_modules/zod/index.js']);
  });

  it('leaves zod its English locale only', async () => {
    write('node_modules/zod/package.json', JSON.stringify({ name: 'zod', version: '4.6.7' }));
    write('node_modules/zod/v4/locales/en.js', 'export default () => ({ localeError: "en" });');
    write('node_modules/zod/v4/locales/de.js', 'export default () => ({ localeError: "de" });');
    write(
      'node_modules/zod/v4/locales/index.js',
      "export { default as en } from './en.js'; export { default as de } from './de.js';",
    );
    write('node_modules/zod/v4/classic.js', "export * as locales from './locales/index.js';");
    write('entry.js', "import * as z from './node_modules/zod/v4/classic.js'; console.log(z);");
    const { inputs, code } = await bundle('entry.js', [englishOnlyZodLocales()]);
    expect(inputs.some((i) => i.endsWith('locales/en.js'))).toBe(true);
    expect(inputs.some((i) => i.endsWith('locales/de.js'))).toBe(false);
    expect(code).not.toContain('"de"');
  });

  it('puts a stand-in in place only for the importer it names', async () => {
    write('node_modules/heavy/index.js', 'module.exports = { heavy: "the real one" };');
    write('node_modules/lib/uses-heavy.js', "module.exports = require('heavy');");
    write('node_modules/lib/also-heavy.js', "module.exports = require('heavy');");
    write('entry.js', "console.log(require('lib/uses-heavy.js'), require('lib/also-heavy.js'));");
    const { inputs, code } = await bundle('entry.js', [
      standInModules([
        {
          request: 'heavy',
          importer: /lib\/uses-heavy\.js$/,
          why: 'test',
          contents: 'module.exports = { heavy: "the stand-in" };',
        },
      ]),
    ]);
    expect(code).toContain('the stand-in');
    expect(code).toContain('the real one'); // also-heavy.js still gets the real module
    expect(inputs.filter((i) => i.includes('heavy/index.js'))).toHaveLength(1);
  });

  it('takes AWS credentials from the environment only: no STS/SSO clients or IMDS in a Lambda bundle', async () => {
    const dir = join(root, 'out');
    write(
      'entry.mjs',
      // A client whose name holds a digit (sesv2) as well.
      `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
export const credentials = () => new DynamoDBClient({ region: 'local' }).config.credentials();
export const sesCredentials = () => new SESv2Client({ region: 'local' }).config.credentials();`,
    );
    const outfile = join(dir, 'index.mjs');
    const result = await build({
      ...lambdaBuildOptions(join(root, 'entry.mjs'), outfile, REPO_ROOT),
      // The entry sits in a temporary folder: the SDK is found in the repo's node_modules.
      nodePaths: [join(REPO_ROOT, 'node_modules')],
      sourcemap: false,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile?.inputs ?? {});
    expect(inputs.some((i) => i.includes('@aws-sdk/client-dynamodb/'))).toBe(true);
    for (const pkg of [
      'nested-clients',
      'credential-provider-ini',
      'credential-provider-sso',
      'credential-provider-node',
    ])
      expect(
        inputs.filter((i) => i.includes(`@aws-sdk/${pkg}/`)),
        pkg,
      ).toEqual([]);
    expect(inputs.filter((i) => i.includes('credential-provider-imds'))).toEqual([]);
    const mod = (await import(pathToFileURL(outfile).href)) as {
      credentials: () => Promise<{ accessKeyId: string }>;
      sesCredentials: () => Promise<{ accessKeyId: string }>;
    };
    const saved = { ...process.env };
    try {
      process.env.AWS_ACCESS_KEY_ID = 'AKIDFROMENV';
      process.env.AWS_SECRET_ACCESS_KEY = 'secret';
      await expect(mod.credentials()).resolves.toMatchObject({ accessKeyId: 'AKIDFROMENV' });
      await expect(mod.sesCredentials()).resolves.toMatchObject({ accessKeyId: 'AKIDFROMENV' });
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      delete process.env.AWS_PROFILE;
      await expect(mod.credentials()).rejects.toThrow(/from the environment only/);
      await expect(mod.sesCredentials()).rejects.toThrow(/from the environment only/);
    } finally {
      process.env = saved;
    }
  }, 60_000);

  it('gets the Bot Connector token by the client credentials grant, without MSAL, and refuses a failed grant', async () => {
    const requests: { url: string; form: URLSearchParams }[] = [];
    let answer: { status: number; body: unknown } = {
      status: 200,
      body: { token_type: 'Bearer', expires_in: 3599, access_token: 'token-from-local-authority' },
    };
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        requests.push({ url: req.url ?? '', form: new URLSearchParams(body) });
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const outfile = join(root, 'out', 'index.mjs');
      const result = await build({
        ...lambdaBuildOptions(
          join(REPO_ROOT, 'infra/test/fixtures/app-credentials.entry.ts'),
          outfile,
          REPO_ROOT,
        ),
        sourcemap: false,
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile?.inputs ?? {});
      expect(inputs.filter((i) => i.includes('@azure/msal-node/'))).toEqual([]);
      const mod = (await import(
        pathToFileURL(outfile).href
      )) as typeof import('./fixtures/app-credentials.entry');
      const creds = await mod.appCredentials(
        'app-id-1',
        'app-secret-1',
        'tenant-1',
        `http://127.0.0.1:${port}/tenant-1`,
      );
      await expect(creds.getToken(true)).resolves.toBe('token-from-local-authority');
      expect(requests).toHaveLength(1);
      expect(requests[0]?.url).toBe('/tenant-1/oauth2/v2.0/token');
      expect(Object.fromEntries(requests[0]?.form ?? [])).toEqual({
        grant_type: 'client_credentials',
        client_id: 'app-id-1',
        client_secret: 'app-secret-1',
        scope: 'https://api.botframework.com/.default',
      });
      // AppCredentials keeps the token until 5 minutes before it expires: no second request.
      await expect(creds.getToken()).resolves.toBe('token-from-local-authority');
      expect(requests).toHaveLength(1);

      answer = { status: 401, body: { error: 'invalid_client', error_description: 'AADSTS7000215' } };
      const refused = await mod.appCredentials(
        'app-id-2',
        'wrong',
        'tenant-1',
        `http://127.0.0.1:${port}/tenant-1`,
      );
      await expect(refused.getToken(true)).rejects.toThrow(/HTTP 401 invalid_client AADSTS7000215/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  }, 60_000);

  it('splits at import(): a workflow Lambda loads botbuilder and the catalog reader only when an event needs them', async () => {
    const dir = join(root, 'out');
    const outfile = join(dir, 'index.mjs');
    const result = await build({
      ...lambdaBuildOptions(join(REPO_ROOT, 'lambdas/src/handlers/job-ops.handler.ts'), outfile, REPO_ROOT),
      sourcemap: false,
      logLevel: 'silent',
    });
    const outputs = result.metafile?.outputs ?? {};
    const entry = relative(REPO_ROOT, outfile);
    const atLoad = new Set([entry]);
    for (const file of atLoad)
      for (const i of outputs[file]?.imports ?? []) if (i.kind === 'import-statement') atLoad.add(i.path);
    const inputsOf = (files: string[]) => files.flatMap((f) => Object.keys(outputs[f]?.inputs ?? {}));
    const loaded = inputsOf([...atLoad]);
    const later = inputsOf(Object.keys(outputs).filter((f) => !atLoad.has(f)));
    for (const part of [
      'node_modules/botbuilder/',
      'bot/src/job-cards.ts',
      'core/src/catalog/catalog-sax.ts',
    ]) {
      expect(
        loaded.filter((i) => i.includes(part)),
        part,
      ).toEqual([]);
      expect(
        later.some((i) => i.includes(part)),
        part,
      ).toBe(true);
    }
    expect(loaded.some((i) => i.includes('core/src/workflows/ops/run-op.ts'))).toBe(true);
    // The chunks are files next to index.mjs (the function's asset), and the entry loads with them.
    const mod = (await import(pathToFileURL(outfile).href)) as { default: unknown };
    expect(typeof mod.default).toBe('function');
  }, 60_000);

  it('maps stack traces to the TypeScript sources when one is first printed, without --enable-source-maps', async () => {
    const installer = join(REPO_ROOT, 'lambdas/src/composition/mapped-stack-traces.ts');
    write(
      'entry.ts',
      `import { installMappedStackTraces } from ${JSON.stringify(installer)};
export const installed = installMappedStackTraces();
export function failing(): never {
  throw new TypeError('boom');
}
`,
    );
    const outfile = join(root, 'out', 'index.mjs');
    await build({ ...lambdaBuildOptions(join(root, 'entry.ts'), outfile, REPO_ROOT), logLevel: 'silent' });
    const script = `const m = await import(${JSON.stringify(pathToFileURL(outfile).href)});
try { m.failing(); } catch (e) { console.log(JSON.stringify({ installed: m.installed, stack: e.stack })); }`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, NODE_OPTIONS: LAMBDA_BUNDLE.nodeOptions },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const { installed, stack } = JSON.parse(run.stdout) as { installed: boolean; stack: string };
    expect(installed).toBe(true);
    const lines = stack.split('\n');
    expect(lines[0]).toBe('TypeError: boom');
    expect(lines[1]).toMatch(/^ {4}at (Module\.)?failing \(.*entry\.ts:4:9\)$/);
    expect(stack).not.toContain('index.mjs');
  }, 60_000);
});
