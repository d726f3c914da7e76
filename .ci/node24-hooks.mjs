// Loaded by Node 24 only (NODE_OPTIONS from .ci/.node24/env, see .ci/node24): every file of the repository's
// better-sqlite3 — its JavaScript and its native addon, however it is reached (a bare import, vitest's resolved
// path, `bindings` requiring the .node file) — resolves to the copy built for Node 24, so node_modules keeps
// the Node 20 build untouched.
import { registerHooks } from 'node:module';
import { join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const copy = process.env.RACKOPS_NODE24_SQLITE;
const original = join(fileURLToPath(new URL('..', import.meta.url)), 'node_modules', 'better-sqlite3') + sep;
if (copy) {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      if (!resolved.url.startsWith('file:')) return resolved;
      const path = fileURLToPath(resolved.url);
      if (!path.startsWith(original)) return resolved;
      return { ...resolved, url: pathToFileURL(join(copy, path.slice(original.length))).href };
    },
  });
}
