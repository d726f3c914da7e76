import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILDING_BLOCKS, LAMBDA_FUNCTIONS } from '@rackops/lambdas/composition/functions';
import { SettingsEnv } from '@rackops/lambdas/composition/settings';
import { describe, expect, it } from 'vitest';
import { lambdaFunctions, REPO_ROOT } from '../src/handlers';

// The list in lambdas/src/composition/functions.ts is what infra deploys; these keep it and the handler modules
// from drifting apart (a new handler nobody deploys, a listed module that was renamed).
const HANDLERS_DIR = 'lambdas/src/handlers';
const handlerModules = readdirSync(join(REPO_ROOT, HANDLERS_DIR))
  .filter((file) => file.endsWith('.handler.ts'))
  .map((file) => `${HANDLERS_DIR}/${file}`)
  .sort();

describe('the function list', () => {
  it('names every handler module, as a Lambda or as a building block, and nothing else', () => {
    const listed = [...LAMBDA_FUNCTIONS.map((f) => f.entry), ...BUILDING_BLOCKS].sort();
    expect(listed).toEqual(handlerModules);
  });

  it('names modules that exist, each function once', () => {
    for (const f of LAMBDA_FUNCTIONS) expect(existsSync(join(REPO_ROOT, f.entry)), f.entry).toBe(true);
    const names = LAMBDA_FUNCTIONS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives infra absolute entries whose default export is the handler; building blocks have none', async () => {
    for (const f of lambdaFunctions()) {
      const mod = (await import(pathToFileURL(f.entry).href)) as { default?: unknown };
      expect(typeof mod.default, f.name).toBe('function');
    }
    for (const entry of BUILDING_BLOCKS) {
      const mod = (await import(pathToFileURL(join(REPO_ROOT, entry)).href)) as { default?: unknown };
      expect(mod.default, entry).toBeUndefined();
    }
  }, 120_000);

  it('names only settings of the environment schema, and sizes Lambda accepts', () => {
    const known = Object.keys(SettingsEnv.shape);
    for (const f of LAMBDA_FUNCTIONS) {
      for (const s of f.settings) expect(known, `${f.name}: ${s}`).toContain(s);
      expect(f.memoryMb).toBeGreaterThanOrEqual(128);
      expect(f.timeoutSeconds).toBeLessThanOrEqual(900);
    }
  });
});
