import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { zfsFuseUnavailable } from '@rackops/lab/zfs/zfs-fuse-daemon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const unavailable = zfsFuseUnavailable();
if (unavailable) console.warn(`start-dr.test: skipped — zfs-fuse cannot run here: ${unavailable}`);

/** One Direct Line conversation, as Web Chat holds it: post a message, poll what the bot answered. */
async function directLine(base: string, user: string) {
  const started = (await (await fetch(`${base}v3/directline/conversations`, { method: 'POST' })).json()) as {
    conversationId: string;
    token: string;
  };
  const url = `${base}v3/directline/conversations/${encodeURIComponent(started.conversationId)}/activities`;
  const headers = { authorization: `Bearer ${started.token}`, 'content-type': 'application/json' };
  let watermark = 0;
  const read = async (): Promise<string[]> => {
    const r = (await (await fetch(`${url}?watermark=${watermark}`, { headers })).json()) as {
      activities: { from?: { id?: string }; text?: string; attachments?: unknown[] }[];
      watermark?: string;
    };
    watermark = Number(r.watermark ?? watermark);
    return r.activities
      .filter((a) => a.from?.id !== user)
      .map((a) => `${a.text ?? ''} ${JSON.stringify(a.attachments ?? [])}`);
  };
  return {
    /** Says `text` and collects the bot's answers until one matches `until`. */
    async say(text: string, until: RegExp, ms = 120_000): Promise<string> {
      await read();
      await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ type: 'message', text, from: { id: user, name: user } }),
      });
      const end = Date.now() + ms;
      let seen = '';
      while (Date.now() < end) {
        seen += (await read()).join('\n');
        if (until.test(seen)) return seen;
      }
      throw new Error(`"${text}": no ${until} within ${ms} ms; the bot said:\n${seen.slice(0, 2000)}`);
    },
  };
}

/**
 * `npm start -- --dr` as a new user runs it: the banner's DR commands, typed as it says (the approver's in a
 * conversation of their own), replicate the group to the second zfs-fuse appliance; Ctrl-C removes the pools.
 */
describe.skipIf(unavailable !== undefined)('npm start -- --dr', () => {
  let child: ChildProcess;
  let out = '';
  const data = mkdtempSync(join(tmpdir(), 'rackops-start-dr-'));
  beforeAll(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'local/src/main.ts', '--dr'], {
      cwd: REPO,
      env: {
        ...process.env,
        PORT: '0',
        RACKOPS_DATA: data,
        LOG_LEVEL: 'warn',
        RACKOPS_ZFS_WAIT_MS: '900000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A group of its own, as a terminal's foreground job: Ctrl-C signals every process in it.
      detached: true,
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    const end = Date.now() + 1_000_000;
    while (!/Ctrl-C stops everything/.test(out)) {
      if (child.exitCode !== null || Date.now() > end) throw new Error(`npm start -- --dr:\n${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 1_100_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 240_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(data, { recursive: true, force: true });
  }, 300_000);

  it('the banner steps create, approve and replicate the group', async () => {
    expect(out).toMatch(/dr: +vc-src .* nas-src, nas-dst/);
    const base = out.match(/Web chat: +(http:\/\/\S+\/)/)?.[1];
    expect(base).toBeDefined();
    const steps = [...out.matchAll(/^ {4}(operator|approver): {2}(.+)$/gm)].map((m) => ({
      as: m[1] as string,
      text: m[2] as string,
    }));
    expect(steps[0]?.text).toMatch(/^pg create gold nas-src:\S+\/vmstore nas-dst:\S+\/vmstore /);
    const operator = await directLine(base as string, 'local-operator');
    const approver = await directLine(base as string, 'local-approver');
    for (const s of steps) {
      if (s.text.startsWith('replicate')) break;
      const who = s.as === 'approver' ? approver : operator;
      const said = await who.say(s.text, /gold/);
      expect(said).not.toMatch(/not allowed|unknown|error/i);
    }
    const replica = await operator.say(
      'replicate gold now',
      /full send of rackops-gold-\S+|failed/i,
      300_000,
    );
    expect(replica).toMatch(/full send of rackops-gold-/);
    const groups = await operator.say('protection groups', /replica .* old/);
    expect(groups).toMatch(/gold.*nas-src:.*nas-dst:/);
  }, 600_000);

  it('Ctrl-C stops everything and removes the pools', async () => {
    const pools = out.match(/pools in (\S+), removed on exit/)?.[1];
    expect(pools).toBeDefined();
    expect(existsSync(pools as string)).toBe(true);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    process.kill(-(child.pid as number), 'SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopped\./);
    expect(existsSync(pools as string)).toBe(false);
  }, 300_000);
});
