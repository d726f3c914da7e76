import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { englishOnlyZodLocales, oneCopyPerVersion, standInModules } from '../src/bundle-plugins';
import { lambdaBuildOptions } from '../src/bundling';
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
      `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
export const credentials = () => new DynamoDBClient({ region: 'local' }).config.credentials();`,
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
    };
    const saved = { ...process.env };
    try {
      process.env.AWS_ACCESS_KEY_ID = 'AKIDFROMENV';
      process.env.AWS_SECRET_ACCESS_KEY = 'secret';
      await expect(mod.credentials()).resolves.toMatchObject({ accessKeyId: 'AKIDFROMENV' });
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      delete process.env.AWS_PROFILE;
      await expect(mod.credentials()).rejects.toThrow(/from the environment only/);
    } finally {
      process.env = saved;
    }
  }, 60_000);
});
