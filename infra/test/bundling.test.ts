import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { singleCopyAliases } from '../src/bundling';

describe('singleCopyAliases', () => {
  let root: string;
  const install = (ws: string, version: string) => {
    mkdirSync(join(root, ws, 'node_modules', 'zod'), { recursive: true });
    writeFileSync(join(root, ws, 'package.json'), JSON.stringify({ name: ws }));
    writeFileSync(
      join(root, ws, 'node_modules', 'zod', 'package.json'),
      JSON.stringify({ name: 'zod', version }),
    );
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rackops-alias-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('points every import of zod at one copy when all workspaces have the same version', () => {
    for (const ws of ['core', 'lambdas', 'bot']) install(ws, '4.6.7');
    expect(singleCopyAliases(root)).toEqual({ zod: join(root, 'core', 'node_modules', 'zod') });
  });

  it('leaves zod alone when the workspaces disagree on its version', () => {
    install('core', '4.6.7');
    install('lambdas', '4.6.7');
    install('bot', '4.5.0');
    expect(singleCopyAliases(root)).toEqual({});
  });
});
