import { spawn } from 'node:child_process';

/**
 * Runs `node <args>` in a fresh process (so its time and memory are its own) and resolves with the JSON of the
 * last line it prints on stdout; a non-zero exit rejects, named by `label`.
 */
export function childJson<T>(args: readonly string[], label: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    p.on('error', reject);
    p.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`${label} exited ${code}`));
      else resolve(JSON.parse(line) as T);
    });
  });
}
