import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A deployable Lambda handler. */
export interface HandlerSource {
  /** `dispatch` for dispatch.handler.ts, `result` for result.handler.ts. */
  readonly name: string;
  /** Absolute path of the file esbuild bundles. */
  readonly entry: string;
  /** The export Lambda calls: `handler` when the entry exports one by that name, else `default`. */
  readonly exportName: 'handler' | 'default';
}

/** The repository root (infra/src/handlers.ts -> ../..). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const HANDLERS_DIR = join(REPO_ROOT, 'lambdas', 'src', 'handlers');
/** AWS entry points that compose a lambdas handler with other factories (see lambda-entries/). */
export const ENTRIES_DIR = join(REPO_ROOT, 'infra', 'src', 'lambda-entries');

const HANDLER_FILE = /^(?<name>[a-z][a-z0-9-]*)\.handler\.ts$/;

/**
 * The Lambda handlers that exist: every lambdas/src/handlers/<name>.handler.ts with a default or `handler`
 * export (files exporting only factories, e.g. inventory-page.handler.ts, are building blocks, not Lambdas).
 * When infra/src/lambda-entries/<name>.entry.ts exists it is bundled instead: same handler, more wiring.
 * The handlers are written by several people; the app deploys what is there rather than failing on one that
 * has not landed yet (see app.ts).
 */
export function discoverHandlers(
  dir: string = HANDLERS_DIR,
  entriesDir: string = ENTRIES_DIR,
): HandlerSource[] {
  if (!existsSync(dir)) return [];
  const found: HandlerSource[] = [];
  for (const file of readdirSync(dir).sort()) {
    const name = HANDLER_FILE.exec(file)?.groups?.name;
    if (!name) continue;
    const override = join(entriesDir, `${name}.entry.ts`);
    const entry = existsSync(override) ? override : join(dir, file);
    const exportName = exportNameOf(readFileSync(entry, 'utf8'));
    if (exportName) found.push({ name, entry, exportName });
  }
  return found;
}

/** Which export Lambda should call, or undefined when the file has no entry point. */
export function exportNameOf(source: string): 'handler' | 'default' | undefined {
  if (
    /export\s+(const|let|async\s+function|function)\s+handler\b|export\s*\{[^}]*\bhandler\b[^}]*\}/.test(
      source,
    )
  ) {
    return 'handler';
  }
  if (/export\s+default\b|export\s*\{[^}]*\bas\s+default\b[^}]*\}/.test(source)) return 'default';
  return undefined;
}
