// Loaded by Node 24 only (NODE_OPTIONS from .ci/.node24/env, see .ci/node24): every file of the repository's
// better-sqlite3 — its JavaScript and its native addon, however it is reached (a bare import, vitest's resolved
// path, `bindings` requiring the .node file) — resolves to the copy built for Node 24, so node_modules keeps
// the Node 20 build untouched.
import { registerHooks } from 'node:module';
import { join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const copy = process.env.RACKOPS_NODE24_SQLITE;
// Any checkout's copy (the repository's, or a test's fresh clone with linked node_modules).
const marker = `${sep}node_modules${sep}better-sqlite3${sep}`;
if (copy) {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      if (!resolved.url.startsWith('file:')) return resolved;
      const path = fileURLToPath(resolved.url);
      const at = path.indexOf(marker);
      if (at < 0 || path.startsWith(copy)) return resolved;
      return { ...resolved, url: pathToFileURL(join(copy, path.slice(at + marker.length))).href };
    },
  });
}
