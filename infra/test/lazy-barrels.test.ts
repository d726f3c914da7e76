import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOT_BARRELS } from '../src/bundle-plugins';
import { lazyBarrels, readBarrel } from '../src/lazy-barrels';
import { REPO_ROOT } from '../src/handlers';

/** A package whose modules record that they were evaluated, its index compiled to CommonJS by TypeScript. */
describe('lazy barrels', () => {
  let root: string;
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  /**
   * TypeScript 5.9's CommonJS output (module CommonJS, esModuleInterop) for `export * from './used'; export * from
   * './unused'; export { Original as Renamed } from './named'; export * as Space from './space';`, helpers
   * shortened: the barrels in node_modules were made this way.
   */
  const COMPILED = `"use strict";
var __createBinding = (this && this.__createBinding) || function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    Object.defineProperty(o, k2, { enumerable: true, get: function() { return m[k]; } });
};
var __exportStar = (this && this.__exportStar) || function(m, exports) {
    for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p);
};
var __importStar = (this && this.__importStar) || function (mod) {
    if (mod && mod.__esModule) return mod;
    var result = {};
    if (mod != null) for (var k in mod) if (k !== "default") __createBinding(result, mod, k);
    Object.defineProperty(result, "default", { enumerable: true, value: mod });
    return result;
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.Space = exports.Renamed = void 0;
__exportStar(require("./used"), exports);
__exportStar(require("./unused"), exports);
var named_1 = require("./named");
Object.defineProperty(exports, "Renamed", { enumerable: true, get: function () { return named_1.Original; } });
exports.Space = __importStar(require("./space"));
`;
  const module = (name: string, exports: string) =>
    write(
      `node_modules/pkg/lib/${name}.js`,
      `globalThis.evaluated = [...(globalThis.evaluated ?? []), ${JSON.stringify(name)}];\n${exports}`,
    );
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rackops-barrels-'));
    module('used', 'exports.Used = class Used {}; exports.shared = "from used";');
    module('unused', 'exports.Unused = () => "unused ran"; exports.shared = "from unused";');
    module('named', 'exports.Original = "renamed export";');
    module('space', 'exports.inner = 42;');
    write('node_modules/pkg/lib/index.js', COMPILED);
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    delete (globalThis as { evaluated?: string[] }).evaluated;
  });

  const bundled = async () => {
    const result = await build({
      stdin: {
        contents: 'module.exports = require("pkg/lib/index.js");',
        resolveDir: root,
        loader: 'js',
      },
      absWorkingDir: root,
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      plugins: [lazyBarrels(/[\\/]node_modules[\\/]pkg[\\/]lib[\\/]index\.js$/)],
      logLevel: 'silent',
    });
    // The build itself requires the star-exported modules to learn their names: only the bundle's loads count.
    delete (globalThis as { evaluated?: string[] }).evaluated;
    const file = join(root, 'bundle.cjs');
    writeFileSync(file, result.outputFiles[0]?.text ?? '');
    return createRequire(file)(file) as Record<string, unknown>;
  };
  const evaluated = () => (globalThis as { evaluated?: string[] }).evaluated ?? [];

  it('evaluates a module when one of its names is first read, and never one nobody reads', async () => {
    const pkg = await bundled();
    expect(evaluated()).toEqual([]);
    expect(typeof pkg.Used).toBe('function');
    expect(evaluated()).toEqual(['used']);
    expect(pkg.Renamed).toBe('renamed export');
    expect((pkg.Space as { inner: number }).inner).toBe(42);
    expect(evaluated()).toEqual(['used', 'named', 'space']);
    expect((pkg.Space as { default: unknown }).default).toEqual({ inner: 42 }); // as __importStar makes it
    expect(pkg.Space).toBe(pkg.Space);
    expect(pkg.Used).toBe(pkg.Used); // one evaluation, the same class every time
    expect(evaluated()).toEqual(['used', 'named', 'space']);
  });

  it('exports what the real index exports, each name from the module it came from', async () => {
    const real = createRequire(join(root, 'x.js'))('pkg/lib/index.js') as Record<string, unknown>;
    const pkg = await bundled();
    expect(Object.keys(pkg).sort()).toEqual(Object.keys(real).sort());
    // The first star export wins a name both export, as with TypeScript's __exportStar.
    expect(pkg.shared).toBe('from used');
    expect((pkg.Unused as () => string)()).toBe('unused ran');
  });

  it('fails the build on a barrel statement it does not understand, rather than drop it', async () => {
    write('node_modules/pkg/lib/index.js', `${COMPILED}globalThis.sideEffect = true;\n`);
    await expect(bundled()).rejects.toThrow(/barrel statement not understood: globalThis\.sideEffect/);
  });

  it("reads every barrel the bot's bundle loads lazily, as installed", () => {
    const barrels = [
      'botbuilder/lib/index.js',
      'botbuilder/lib/skills/index.js',
      'botbuilder-core/lib/index.js',
      'botframework-connector/lib/index.js',
      'botframework-connector/lib/auth/index.js',
      'botframework-connector/lib/teams/index.js',
    ].map((p) => join(REPO_ROOT, 'node_modules', p));
    for (const file of barrels) {
      expect(BOT_BARRELS.test(file)).toBe(true);
      const req = createRequire(file);
      const barrel = readBarrel(readFileSync(file, 'utf8'), (r) => Object.keys(req(r) as object));
      const real = Object.keys(req(file) as object).filter((k) => k !== 'default');
      expect([...barrel.names.keys()].sort()).toEqual(real.sort());
    }
  });
});
