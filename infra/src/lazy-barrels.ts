import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sep } from 'node:path';
import type { Plugin } from 'esbuild';

/**
 * An index file TypeScript compiled to CommonJS ("barrel"), read as a list of re-exports: `names` maps each name
 * the index exports to the module (`request`, as the index requires it) and the name there it reads, or `'*'`
 * for the module itself (`exports.X = __importStar(require("x"))`).
 */
export interface Barrel {
  readonly requests: readonly string[];
  readonly names: ReadonlyMap<string, { readonly from: number; readonly name: string }>;
}

const HELPER_END = /^Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);$/;
const STAR = /^__exportStar\(require\("([^"]+)"\), exports\);$/;
const BINDING = /^var (\w+) = require\("([^"]+)"\);$/;
const NAMED =
  /^Object\.defineProperty\(exports, "(\w+)", \{ enumerable: true, get: function \(\) \{ return (\w+)\.(\w+); \} \}\);$/;
const NAMESPACE = /^exports\.(\w+) = __importStar\(require\("([^"]+)"\)\);$/;
const DECLARED = /^exports\.\w+ = (exports\.\w+ = )*void 0;$/;

/**
 * Reads a barrel's source. Every statement after TypeScript's helpers must be one of the re-export forms above:
 * anything else (code with side effects, a form this reader does not know) throws, and the bundle build fails
 * rather than drop it. `namesOf(request)` gives the names a star-exported module exports (the build requires it).
 */
export function readBarrel(source: string, namesOf: (request: string) => readonly string[]): Barrel {
  const lines = source
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('//'));
  const start = lines.findIndex((l) => HELPER_END.test(l));
  if (start < 0) throw new Error('not a TypeScript CommonJS barrel: no __esModule marker');
  const requests: string[] = [];
  const bindings = new Map<string, number>();
  const named = new Map<string, { from: number; name: string }>();
  const stars: number[] = [];
  const requestIndex = (request: string) => {
    const at = requests.indexOf(request);
    if (at >= 0) return at;
    requests.push(request);
    return requests.length - 1;
  };
  for (const line of lines.slice(start + 1)) {
    const star = STAR.exec(line);
    const binding = BINDING.exec(line);
    const reexport = NAMED.exec(line);
    const namespace = NAMESPACE.exec(line);
    if (star) stars.push(requestIndex(star[1]!));
    else if (binding) bindings.set(binding[1]!, requestIndex(binding[2]!));
    else if (reexport) {
      const from = bindings.get(reexport[2]!);
      if (from === undefined)
        throw new Error(`barrel re-exports ${reexport[1]} from an unknown binding ${reexport[2]}`);
      named.set(reexport[1]!, { from, name: reexport[3]! });
    } else if (namespace) named.set(namespace[1]!, { from: requestIndex(namespace[2]!), name: '*' });
    else if (!DECLARED.test(line)) throw new Error(`barrel statement not understood: ${line.slice(0, 120)}`);
  }
  // Named re-exports win over star exports (TypeScript declares them first), then the first star wins.
  const names = new Map(named);
  for (const from of stars)
    for (const name of namesOf(requests[from]!))
      if (name !== 'default' && name !== '__esModule' && !names.has(name)) names.set(name, { from, name });
  return { requests, names };
}

/**
 * The barrel's replacement: every name a getter that requires its module when the name is first read. A module
 * nobody reads a name of is never evaluated.
 */
export function lazyBarrelSource(barrel: Barrel): string {
  const loaders = barrel.requests.map(
    (r, i) => `let m${i}, n${i}; const l${i} = () => m${i} ?? (m${i} = require(${JSON.stringify(r)}));`,
  );
  const getters = [...barrel.names].map(
    ([name, { from, name: source }]) =>
      `d(${JSON.stringify(name)}, () => ${source === '*' ? `n${from} ?? (n${from} = ns(l${from}()))` : `l${from}()[${JSON.stringify(source)}]`});`,
  );
  return [
    '"use strict";',
    'Object.defineProperty(exports, "__esModule", { value: true });',
    'const d = (name, get) => Object.defineProperty(exports, name, { enumerable: true, configurable: true, get });',
    // As TypeScript's __importStar: a CommonJS module not compiled from ES modules gets a namespace of its own.
    'const ns = (m) => { if (m && m.__esModule) return m; const o = { ...m }; Object.defineProperty(o, "default", { enumerable: true, value: m }); return o; };',
    ...loaders,
    ...getters,
  ].join('\n');
}

/**
 * Barrels of botbuilder and botframework-connector loaded lazily in a bundle. Their indexes require every module
 * of the package at the first `require('botbuilder')` — the legacy BotFrameworkAdapter, skills, channel service
 * handlers, the token API client and more the bot never uses (botbuilder's CommonJS was ≈ 80 ms of the bot's
 * cold import in a profile; loading only what a turn reaches took 8–24 ms off it, A/B). Each is replaced by the same exports as getters: what a turn
 * reaches is loaded when first reached, what it never reaches is never evaluated. A barrel this reader does not
 * understand fails the build.
 */
export function lazyBarrels(files: RegExp): Plugin {
  return {
    name: 'lazy-barrels',
    setup(build) {
      build.onLoad({ filter: files }, (args) => {
        const path = args.path.split(sep).join('/');
        if (!path.includes('/node_modules/')) return undefined;
        const req = createRequire(args.path);
        const barrel = readBarrel(readFileSync(args.path, 'utf8'), (request) =>
          Object.keys(req(request) as object),
        );
        return { contents: lazyBarrelSource(barrel), loader: 'js' };
      });
    },
  };
}
