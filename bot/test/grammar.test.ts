import { describe, expect, it } from 'vitest';
import { COMMANDS, COMPILED } from '../src/grammar/commands';
import { editDistance } from '@rackops/core/util/edit-distance';
import { helpAll, helpFor } from '../src/grammar/help';
import { parseCommand } from '../src/grammar/parse';
import { parseAt } from '../src/time-spec';

describe('command grammar', () => {
  it('parses every command from its own examples', () => {
    for (const c of COMPILED) {
      for (const example of c.def.examples.filter((e) => !e.includes('...'))) {
        const r = parseCommand(example);
        expect(r.ok, `${example}: ${r.ok ? '' : r.message}`).toBe(true);
        if (r.ok) expect(r.command.name).toBe(c.name);
      }
    }
  });

  it('reads options in any order and validates them with zod', () => {
    const r = parseCommand('update cluster lab-a dry-run batch 3 at 02:00');
    expect(r).toEqual({
      ok: true,
      command: { name: 'updateCluster', args: { name: 'lab-a', 'dry-run': true, batch: 3, at: '02:00' } },
    });
    const bad = parseCommand('update cluster lab-a batch zero');
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.message).toContain(
        'Usage: `update cluster NAME [at TIME] [batch N] [dry-run] [continue-on-failure] [stale-jobs MODE] [blockers POLICY]`',
      );
  });

  it('cancel defaults to graceful and accepts now', () => {
    expect(parseCommand('cancel 01ABC')).toMatchObject({
      ok: true,
      command: { args: { id: '01ABC', mode: 'graceful' } },
    });
    expect(parseCommand('cancel 01ABC now')).toMatchObject({ ok: true, command: { args: { mode: 'now' } } });
  });

  it('strips Teams mentions and is case-insensitive on command words', () => {
    expect(parseCommand('<at>RackOps</at> STATUS')).toMatchObject({ ok: true, command: { name: 'status' } });
  });

  it('answers an unknown command with the closest valid one', () => {
    const r = parseCommand('updte clustr lab-a');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('Did you mean `update cluster NAME');
    const s = parseCommand('stauts');
    if (!s.ok) expect(s.suggestion).toBe('status');
    const far = parseCommand('make me a sandwich');
    if (!far.ok) expect(far.suggestion).toBe('help');
  });

  it('names what is missing or unexpected', () => {
    expect(parseCommand('hosts')).toMatchObject({
      ok: false,
      message: expect.stringContaining('Missing CLUSTER'),
    });
    expect(parseCommand('status now please')).toMatchObject({
      ok: false,
      message: expect.stringContaining('Unexpected `now`'),
    });
    expect(parseCommand('media mount ABC ftp://x/y.iso')).toMatchObject({
      ok: false,
      message: expect.stringContaining('Bad `URL`'),
    });
  });

  it('refuses over-long input and odd characters in names', () => {
    expect(parseCommand(`status ${'x'.repeat(3000)}`).ok).toBe(false);
    expect(parseCommand('hosts lab-a;rm').ok).toBe(false);
  });

  it('generates help and help COMMAND from the same definitions', () => {
    const all = helpAll();
    for (const c of COMPILED.filter((c) => !c.def.unavailable)) expect(all).toContain(c.spec.display);
    expect(all).not.toContain('Not available yet');
    expect(helpFor(['update', 'cluster'])).toContain('Role needed: **operator**');
    expect(helpFor(['failover'])).toContain('`unplanned "REASON"` (**admin**');
    expect(helpFor(['updat'])).toContain('update');
  });

  it('pg changes: durations, quoted reasons, and a typo in the sub-command is offered the right one', () => {
    expect(parseCommand('pg edit prod-vms rpo 2h daily 14')).toMatchObject({
      ok: true,
      command: { name: 'pgEdit', args: { group: 'prod-vms', rpo: 120, daily: 14 } },
    });
    expect(parseCommand('pg edit prod-vms rpo 45')).toMatchObject({ command: { args: { rpo: 45 } } });
    expect(parseCommand('pg edit prod-vms rpo 1d')).toMatchObject({ command: { args: { rpo: 1440 } } });
    expect(parseCommand('pg edit prod-vms transport direct')).toMatchObject({
      command: { args: { transport: 'direct' } },
    });
    expect(parseCommand('pg edit prod-vms transport ftp')).toMatchObject({ ok: false });
    expect(parseCommand('pg edit prod-vms consistency vm')).toMatchObject({
      command: { args: { consistency: 'vm' } },
    });
    expect(parseCommand('pg reject prod-vms "wrong pool"')).toMatchObject({
      ok: true,
      command: { name: 'pgReject', args: { group: 'prod-vms', reason: 'wrong pool' } },
    });
    expect(parseCommand('pg delete prod-vms confirm')).toMatchObject({
      command: { name: 'pgDelete', args: { confirm: true } },
    });
    expect(parseCommand('pg create a nas-a:tank/a nas-b:dr/a rpo 30')).toMatchObject({
      command: { name: 'pgCreate', args: { group: 'a', rpo: 30 } },
    });
    for (const [typed, meant] of [
      ['pg aprove prod-vms', 'pg approve GROUP'],
      ['pg ad-vm prod-vms web-01', 'pg add-vm GROUP VM'],
      ['pg remove-v prod-vms web-01', 'pg remove-vm GROUP VM'],
      ['pg delet prod-vms confirm', 'pg delete GROUP [confirm]'],
    ]) {
      const r = parseCommand(typed as string);
      expect(r.ok, typed).toBe(false);
      if (!r.ok) expect(r.message, typed).toContain(`Did you mean \`${meant}`);
    }
  });

  it('pg create and protect take the transport and consistency modes, and refuse other values', () => {
    const ok: [string, Record<string, unknown>][] = [
      ['protect a nas-a:tank/a nas-b:dr/a transport direct', { transport: 'direct' }],
      [
        'protect a nas-a:tank/a nas-b:dr/a transport agent consistency crash',
        { transport: 'agent', consistency: 'crash' },
      ],
      ['pg create a nas-a:tank/a nas-b:dr/a consistency vm', { consistency: 'vm' }],
      [
        'pg create a nas-a:tank/a nas-b:dr/a rpo 30 transport direct consistency vm',
        { rpo: 30, transport: 'direct', consistency: 'vm' },
      ],
    ];
    for (const [typed, args] of ok)
      expect(parseCommand(typed), typed).toMatchObject({ ok: true, command: { args } });
    const bad: [string, string][] = [
      ['protect a nas-a:tank/a nas-b:dr/a transport ftp', 'transport'],
      ['pg create a nas-a:tank/a nas-b:dr/a consistency app', 'consistency'],
      ['pg create a nas-a:tank/a nas-b:dr/a transport', 'transport'],
    ];
    for (const [typed, why] of bad) {
      const r = parseCommand(typed);
      expect(r.ok, typed).toBe(false);
      if (!r.ok) expect(r.message, typed).toContain(why);
    }
    expect(helpFor(['protect'])).toContain('[transport MODE] [consistency LEVEL]');
    expect(helpFor(['pg', 'create'])).toContain('`transport direct` has the source');
  });

  it('failover (planned, unplanned with a quoted reason) beside failover test; protection groups, replicate exist', () => {
    expect(parseCommand('failover gold unplanned "site A lost power" confirm')).toMatchObject({
      ok: true,
      command: { name: 'failover', args: { group: 'gold', unplanned: 'site A lost power', confirm: true } },
    });
    expect(parseCommand('failover test gold')).toMatchObject({
      ok: true,
      command: { name: 'failoverTest', args: { group: 'gold' } },
    });
    expect(parseCommand('failover gold unplanned "x"')).toMatchObject({ ok: false });
    expect(parseCommand('pg edit gold dr-cluster dr-a dr-pool resgroup-8 dr-nfs 10.0.9.5')).toMatchObject({
      ok: true,
      command: {
        name: 'pgEdit',
        args: { 'dr-cluster': 'dr-a', 'dr-pool': 'resgroup-8', 'dr-nfs': '10.0.9.5' },
      },
    });
    for (const n of ['failover', 'protectionGroups', 'groups', 'pg', 'protect', 'replicate'] as const)
      expect(COMMANDS[n].unavailable).toBeUndefined();
    expect(parseCommand('replicate prod-vms now')).toMatchObject({
      ok: true,
      command: { name: 'replicate', args: { group: 'prod-vms', now: true } },
    });
    expect(parseCommand('pg pause prod-vms')).toMatchObject({
      ok: true,
      command: { name: 'pgPause', args: { group: 'prod-vms' } },
    });
    expect(parseCommand('pg prod-vms')).toMatchObject({ ok: true, command: { name: 'pg' } });
    expect(COMMANDS.windows.unavailable).toBeUndefined();
    expect(COMMANDS.notify.unavailable).toBeUndefined();
  });

  it('notify: show, switch with an optional cluster, e-mail add and log are told apart', () => {
    expect(parseCommand('notify')).toMatchObject({ ok: true, command: { name: 'notify', args: {} } });
    expect(parseCommand('notify email on paused,job_failed cluster lab-a')).toMatchObject({
      ok: true,
      command: {
        name: 'notify',
        args: { channel: 'email', mode: 'on', kinds: 'paused,job_failed', cluster: 'lab-a' },
      },
    });
    expect(parseCommand('notify email add A@B.example')).toMatchObject({
      ok: true,
      command: { name: 'notifyEmailAdd', args: { address: 'a@b.example' } },
    });
    expect(parseCommand('notify log')).toMatchObject({ ok: true, command: { name: 'notifyLog' } });
    expect(parseCommand('notify channel')).toMatchObject({ ok: false });
  });

  it('window create takes the rest of the message as its schedule, quotes kept around a cron expression', () => {
    const r = parseCommand(
      'window create prod-a,host:ABC1 cron "30 1 * * 6" Europe/Berlin for 4h policy fail',
    );
    expect(r).toEqual({
      ok: true,
      command: {
        name: 'windowCreate',
        args: { targets: 'prod-a,host:ABC1', schedule: 'cron "30 1 * * 6" Europe/Berlin for 4h policy fail' },
      },
    });
    const show = parseCommand('window W123');
    expect(show.ok && show.command.name).toBe('window');
    const typo = parseCommand('windw approve W1');
    expect(typo.ok).toBe(false);
    if (!typo.ok) expect(typo.message).toMatch(/Did you mean `window/);
  });

  it('edit distance', () => {
    expect(editDistance('status', 'stauts')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('parses times: ISO with zone, HH:MM UTC, relative; refuses zone-less dates', () => {
    const now = new Date('2026-11-28T22:00:00Z');
    expect(parseAt('2026-12-01T02:00Z', now)).toBe('2026-12-01T02:00:00.000Z');
    expect(parseAt('23:30', now)).toBe('2026-11-28T23:30:00.000Z');
    expect(parseAt('01:00', now)).toBe('2026-11-29T01:00:00.000Z');
    expect(parseAt('+30m', now)).toBe('2026-11-28T22:30:00.000Z');
    expect(() => parseAt('2026-12-01T02:00', now)).toThrow(/not a time/);
  });
});
