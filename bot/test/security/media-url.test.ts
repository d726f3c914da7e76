import type { UseCaseDeps } from '@rackops/core/usecases/deps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotFixture, USERS, startBotFixture } from '../support/bot-fixture';

const text = (replies: { text?: string }[]): string => replies.map((r) => r.text ?? '').join('\n');

/** Item 2 in chat: `media mount` refuses URLs the outbound policy forbids, naming the rule; nothing is created. */
describe('media mount URLs (real bot, dynalite)', () => {
  let f: BotFixture;
  let conv = 0;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });
  const jobs = async () => (await f.store.listRecentJobs({ limit: 200 })).items.length;

  it.each([
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data/', 'address'],
    ['metadata in decimal', 'https://2852039166/latest/', 'address'],
    // Loopback and private literals are the agent's call (its allow-list): see relay-agent/test/security.
    ['the unspecified address', 'https://0.0.0.0:8443/admin', 'address'],
    ['IPv6 link-local', 'https://[fe80::1]/x.iso', 'address'],
    ['IPv4-mapped metadata', 'https://[::ffff:169.254.169.254]/latest/', 'address'],
    ['http', 'http://repo.lab/esxi.iso', 'scheme'],
    ['file', 'file:///etc/shadow', 'scheme'],
    ['a password in the URL', 'https://admin:hunter2@repo.lab/esxi.iso', 'userinfo'],
  ])('refuses %s: the reply names the rule, no confirmation, no job', async (_n, url, rule) => {
    const c = `conv-url-${++conv}`;
    const before = await jobs();
    const reply = await f.harness.say(USERS.operator, `media mount LABA003 ${url}`, c);
    expect(text(reply)).toContain('Bad `URL`');
    expect(text(reply)).toContain(`${rule}:`);
    expect(f.harness.lastCard(c, 'Please confirm')).toBeUndefined();
    expect(await jobs()).toBe(before);
  });

  it('nfs with a login name: the job carries the name as credentialsRef, never a secret', async () => {
    const c = `conv-url-${++conv}`;
    await f.harness.say(USERS.operator, 'media mount LABA003 nfs://nas1.dc1/isos/esxi.iso login nas-iso', c);
    await f.harness.click(USERS.operator, f.harness.lastCard(c, 'Please confirm')!, 'Confirm');
    const job = (await f.store.listJobsByTarget('host', 'LABA003', { limit: 1 })).items[0]!;
    expect(job.params).toMatchObject({ image: 'nfs://nas1.dc1/isos/esxi.iso', credentialsRef: 'nas-iso' });
  });

  it('a forged job creation with a metadata URL is refused by createJob itself', async () => {
    const { createJob } = await import('@rackops/core/usecases/create-job');
    const before = await jobs();
    // Only the real store and a clock: the params are refused before anything else is used.
    const deps = { store: f.store, clock: { now: () => new Date() } } as unknown as UseCaseDeps;
    await expect(
      createJob(deps, {
        type: 'virtual_media_mount',
        target: { kind: 'host', id: 'LABA003' },
        params: { image: 'https://169.254.169.254/latest/' },
        actor: { kind: 'user', id: 'u1', name: 'x' },
        production: false,
      }),
    ).rejects.toThrow(/params.image: address/);
    expect(await jobs()).toBe(before);
  });
});
