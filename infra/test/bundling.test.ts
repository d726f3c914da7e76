import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aliasFor, packageCopies, singleCopyAliases } from '../src/bundling';
import { REPO_ROOT } from '../src/handlers';

describe('zod deduplication', () => {
  let root: string;
  const install = (dir: string, version: string) => {
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, 'package.json'), JSON.stringify({ name: 'zod', version }));
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rackops-alias-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds the copies a bundle draws from, with their versions', () => {
    install('core/node_modules/zod', '4.6.7');
    install('node_modules/zod', '3.25.76');
    const copies = packageCopies(
      [
        'core/node_modules/zod/v4/core/schemas.js',
        'core/node_modules/zod/index.js',
        'node_modules/zod/v3/types.js',
        'core/src/x.ts',
      ],
      'zod',
      root,
    );
    expect(copies).toEqual([
      { dir: join(root, 'core/node_modules/zod'), version: '4.6.7' },
      { dir: join(root, 'node_modules/zod'), version: '3.25.76' },
    ]);
  });

  it('aliases identical copies to one, and never copies of different versions', () => {
    const a = { dir: '/r/core/node_modules/zod', version: '4.6.7' };
    const b = { dir: '/r/lambdas/node_modules/zod', version: '4.6.7' };
    const old = { dir: '/r/node_modules/zod', version: '3.25.76' };
    expect(aliasFor('zod', [a, b])).toEqual({ zod: a.dir });
    expect(aliasFor('zod', [a, b, old])).toEqual({});
    expect(aliasFor('zod', [a])).toEqual({});
  });

  it('dedupes the dispatch handler but leaves the bot (a dependency needs zod 3) alone', () => {
    const aliases = (file: string) =>
      singleCopyAliases(join(REPO_ROOT, 'lambdas/src/handlers', file), REPO_ROOT);
    expect(Object.keys(aliases('dispatch.handler.ts'))).toEqual(['zod']);
    expect(aliases('bot.handler.ts')).toEqual({});
  });
});
