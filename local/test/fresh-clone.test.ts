import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const WORKSPACES = ['core', 'bot', 'lambdas', 'infra', 'relay-agent', 'lab', 'local', 'bench'];

/** The files a clone would have: tracked, plus new ones not ignored (so an uncommitted change is tested too). */
function copyWorkingTree(to: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO,
  })
    .toString('utf8')
    .split('\0')
    .filter((f) => f && existsSync(join(REPO, f)));
  for (const f of files) {
    mkdirSync(dirname(join(to, f)), { recursive: true });
    cpSync(join(REPO, f), join(to, f), { preserveTimestamps: true });
  }
}

/**
 * `npm ci` in the copy would re-download what this one installed: hard links give the same files at no cost.
 * Workspace links (`node_modules/@rackops/lab -> ../../lab`) are relative, so they point into the copy.
 */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const a = join(from, entry.name);
    const b = join(to, entry.name);
    // Node 24's cpSync refuses a link to a directory without `recursive`: copy the link itself.
    if (entry.isSymbolicLink()) symlinkSync(readlinkSync(a), b);
    else if (entry.isDirectory()) linkTree(a, b);
    else if (statSync(a).isFile()) linkSync(a, b);
  }
}

function waitFor(child: ChildProcess, out: () => string, pattern: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms:\n${out()}`)), ms);
    const check = () => {
      if (pattern.test(out())) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    check();
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!pattern.test(out())) reject(new Error(`npm start exited (${code}) before ${pattern}:\n${out()}`));
    });
  });
}

/**
 * A new user clones only the project: nothing beside it (no shared folder), and `npm start` must reach its ready
 * line, serve the chat page and stop cleanly on Ctrl-C.
 */
describe('a fresh clone with nothing beside it', () => {
  let root: string;
  let clone: string;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'rackops-clone-'));
    clone = join(root, 'rackops');
    copyWorkingTree(clone);
    linkTree(join(REPO, 'node_modules'), join(clone, 'node_modules'));
    for (const w of WORKSPACES)
      if (existsSync(join(REPO, w, 'node_modules')))
        linkTree(join(REPO, w, 'node_modules'), join(clone, w, 'node_modules'));
  }, 120_000);

  afterAll(async () => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid, 'SIGKILL');
      await new Promise((r) => child?.once('exit', r));
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('has nothing beside it, and the capture it needs is inside it', () => {
    expect(readdirSync(root)).toEqual(['rackops']);
    expect(existsSync(join(clone, 'lab/fixtures/redfish/dell-poweredge-r750/capture.json.gz'))).toBe(true);
    expect(existsSync(join(clone, 'lab/fixtures/redfish/dell-poweredge-r750/LICENSE'))).toBe(true);
  });

  it('stays clean after npm ci: every package bin target is executable in the repository', () => {
    const bins = WORKSPACES.flatMap((w) => {
      const pkg = JSON.parse(readFileSync(join(REPO, w, 'package.json'), 'utf8')) as {
        bin?: Record<string, string>;
      };
      return Object.values(pkg.bin ?? {}).map((b) => join(w, b));
    });
    expect(bins.length).toBeGreaterThan(0);
    for (const bin of bins) {
      const mode = execFileSync('git', ['ls-files', '-s', bin], { cwd: REPO }).toString().split(' ')[0];
      expect(mode, bin).toBe('100755');
    }
  });

  it('npm start reaches its ready line, serves the chat page, and stops cleanly on SIGINT', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: '0',
      RACKOPS_DATA: join(root, 'data'),
      LOG_LEVEL: 'warn',
    };
    delete env.VITEST;
    // Under CI's Node 24 run NODE_OPTIONS carries the hook that loads the Node 24 better-sqlite3 build.
    if (!process.env.RACKOPS_NODE24_SQLITE) delete env.NODE_OPTIONS;
    child = spawn('npm', ['start', '--silent'], {
      cwd: clone,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    await waitFor(child, () => output, /RackOps is running locally\./, 150_000);
    await waitFor(child, () => output, /Try: `inventory sync`/, 5_000);
    const url = /Web chat:\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
    expect(url).toBeDefined();
    const page = await fetch(url as string);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('WebChat');
    expect(output).toMatch(/lab:\s+12 iDRACs/);
    expect(output).toMatch(/node:\s+v\d+/);
    expect(output).not.toContain('NodeVersionSupportWarning');
    expect(output).not.toContain('shared');

    // Ctrl-C in a terminal signals the whole foreground group: npm, its shell, tsx and node.
    const exited = new Promise<string>((r) => child?.once('exit', (code, signal) => r(`${code ?? signal}`)));
    const group = child.pid as number;
    process.kill(-group, 'SIGINT');
    const how = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('hung'), 30_000))]);
    // npm re-raises the signal its script ended on; RackOps itself said it stopped, and nothing is left running.
    expect(['0', 'SIGINT'], output).toContain(how);
    expect(output).toMatch(/SIGINT: stopping…\s+stopped\./);
    expect(output).not.toMatch(/stop failed|Error/);
    await new Promise((r) => setTimeout(r, 500));
    expect(() => process.kill(-group, 0)).toThrow(/ESRCH/);
  }, 200_000);
});
