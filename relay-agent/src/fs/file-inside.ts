import { resolve, sep } from 'node:path';

/** A name the agent may write under one of its folders: letters, digits, `.`, `_`, `-`; no path, no `..`. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * The path of `name` inside `dir`, for names built from ids a device or the cloud sent (a job id, a target id).
 * Throws unless the name is one plain file name and resolves inside `dir`: a hostile device's `JID_/../../x`
 * never becomes a path outside the folder.
 */
export function fileInside(dir: string, name: string): string {
  if (!SAFE_NAME.test(name) || name.includes('..'))
    throw new Error(`unsafe file name ${JSON.stringify(name.slice(0, 80))}`);
  const root = resolve(dir);
  const file = resolve(root, name);
  if (!file.startsWith(root + sep)) throw new Error(`${JSON.stringify(name.slice(0, 80))} leaves ${root}`);
  return file;
}
