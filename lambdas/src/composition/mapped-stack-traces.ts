import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Stack traces of the Lambda bundles point at the TypeScript sources, as `--enable-source-maps` would make them,
 * but the map of a bundle file is read when a trace is first formatted, not at every cold start: the flag reads
 * and indexes the entry's map and every chunk's at load (≈ 15 ms of the bot's cold import, infra/src/bundling.ts).
 * Installed only where this module runs from a bundle file with its map beside it; under tsx and vitest the
 * sources are the files themselves and nothing changes.
 */
const maps = new Map<string, SourceMap | undefined>();

function mapOf(fileUrl: string): SourceMap | undefined {
  if (!maps.has(fileUrl)) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(fileUrl)}.map`, 'utf8')));
    } catch {
      map = undefined;
    }
    maps.set(fileUrl, map);
  }
  return maps.get(fileUrl);
}

/** `file:///…/index.mjs:1:2345` -> `lambdas/src/handlers/bot.handler.ts:80:7`, when the map knows the place. */
export function mappedLocation(text: string): string {
  return text.replace(
    /(file:\/\/[^\s()]+?\.mjs):(\d+):(\d+)/g,
    (whole, url: string, line: string, col: string) => {
      const entry = mapOf(url)?.findEntry(Number(line) - 1, Number(col) - 1) as
        | { originalSource?: string; originalLine?: number; originalColumn?: number }
        | undefined;
      if (!entry?.originalSource || entry.originalLine === undefined || entry.originalColumn === undefined)
        return whole;
      const source = entry.originalSource.replace(/^(\.\.\/)+/, '').replace(/^file:\/\//, '');
      return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    },
  );
}

function header(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const { name, message } = err as { name?: unknown; message?: unknown };
  const n = name === undefined ? 'Error' : String(name);
  return message === undefined || message === '' ? n : `${n}: ${String(message)}`;
}

/** Formats traces with mapped locations from now on, if this module runs from a bundle with its map. */
export function installMappedStackTraces(moduleUrl: string = import.meta.url): boolean {
  if (!moduleUrl.endsWith('.mjs') || !existsSync(`${fileURLToPath(moduleUrl)}.map`)) return false;
  // With --enable-source-maps Node maps the traces itself.
  if ((process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled) return false;
  Error.prepareStackTrace = (err, frames) => {
    const lines = frames.map((frame) => `\n    at ${String(frame)}`);
    try {
      return header(err) + lines.map(mappedLocation).join('');
    } catch {
      return header(err) + lines.join('');
    }
  };
  return true;
}
