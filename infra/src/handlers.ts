import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A Lambda handler file in lambdas/src/handlers. */
export interface HandlerSource {
  /** `dispatch` for dispatch.handler.ts, `inventory-sync` for inventory-sync.handler.ts. */
  readonly name: string;
  /** Absolute path of the entry file. */
  readonly entry: string;
  /** The export Lambda calls: `handler` when the file exports one by that name, else `default`. */
  readonly exportName: 'handler' | 'default';
}

/** The repository root (infra/src/handlers.ts -> ../..). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const HANDLERS_DIR = join(REPO_ROOT, 'lambdas', 'src', 'handlers');

const HANDLER_FILE = /^(?<name>[a-z][a-z0-9-]*)\.handler\.ts$/;
const INVENTORY_FILE = /^(?<name>inventory-[a-z0-9-]+)\.ts$/;

/**
 * Lists the handler files that exist. The handlers are written by several people; the stack deploys what is
 * there rather than failing on one that has not landed yet.
 */
export function discoverHandlers(dir: string = HANDLERS_DIR): HandlerSource[] {
  if (!existsSync(dir)) return [];
  const found: HandlerSource[] = [];
  for (const file of readdirSync(dir).sort()) {
    const match = HANDLER_FILE.exec(file) ?? INVENTORY_FILE.exec(file);
    const name = match?.groups?.name;
    if (!name) continue;
    const entry = join(dir, file);
    found.push({ name, entry, exportName: exportNameOf(readFileSync(entry, 'utf8')) });
  }
  return found;
}

function exportNameOf(source: string): 'handler' | 'default' {
  const named =
    /export\s+(const|let|async\s+function|function)\s+handler\b|export\s*\{[^}]*\bhandler\b[^}]*\}/;
  return named.test(source) ? 'handler' : 'default';
}
