import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverHandlers, exportNameOf } from '../src/handlers';

describe('exportNameOf', () => {
  it('prefers a named handler export, then the default export', () => {
    expect(exportNameOf('export const handler = async () => {}')).toBe('handler');
    expect(exportNameOf('export async function handler(e) {}')).toBe('handler');
    expect(exportNameOf('const h = 1; export { h as handler };')).toBe('handler');
    // The function's own name is local: Lambda must call the module's `default` export.
    expect(exportNameOf('export default async function handler(e) {}')).toBe('default');
    expect(exportNameOf('export default async function (e) {}')).toBe('default');
    expect(exportNameOf('const run = 1; export { run as default };')).toBe('default');
  });

  it('finds no entry point in a file of factories', () => {
    expect(exportNameOf('export function createThing() {}\nexport const Schema = 1;')).toBeUndefined();
  });
});

describe('discoverHandlers', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rackops-handlers-'));
    mkdirSync(join(root, 'handlers'));
    mkdirSync(join(root, 'entries'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lists *.handler.ts files with an entry export, preferring an infra entry of the same name', () => {
    const h = (file: string, body: string) => writeFileSync(join(root, 'handlers', file), body);
    h('dispatch.handler.ts', 'export default async function (e) {}');
    h('result.handler.ts', 'export default async function (e) {}');
    h('inventory-page.handler.ts', 'export function createInventoryPageHandler() {}');
    h('runtime-wiring.ts', 'export const x = 1;');
    writeFileSync(join(root, 'entries', 'result.entry.ts'), 'export const handler = async () => {};');

    expect(discoverHandlers(join(root, 'handlers'), join(root, 'entries'))).toEqual([
      { name: 'dispatch', entry: join(root, 'handlers', 'dispatch.handler.ts'), exportName: 'default' },
      { name: 'result', entry: join(root, 'entries', 'result.entry.ts'), exportName: 'handler' },
    ]);
  });

  it('returns nothing when the handlers folder does not exist', () => {
    expect(discoverHandlers(join(root, 'missing'), join(root, 'entries'))).toEqual([]);
  });
});
