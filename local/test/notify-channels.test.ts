import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listDeliveries } from '@rackops/core/notifications/delivery-log';
import { NotificationPipeline } from '@rackops/core/notifications/pipeline';
import { GLOBAL_SCOPE, emptyScope, saveScope, switchKinds } from '@rackops/core/notifications/settings';
import { systemClock } from '@rackops/core/ports/clock.port';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import {
  describeNotifySettings,
  loadLocalNotifySettings,
  localNotificationChannels,
} from '../src/notify-channels';
import {
  type SmtpStandIn,
  type WebhookStandIn,
  startSmtpStandIn,
  startWebhookStandIn,
} from '../src/testing/notify-endpoints';
import { type TestStore, startTestStore } from './helpers/test-store';

const PASSWORD = 'smtp-pass-5e3c1a';

describe('the local stack reaches a Teams channel and e-mail from a 0600 file or the environment', () => {
  let t: TestStore;
  let hook: WebhookStandIn;
  let smtp: SmtpStandIn;
  let dir: string;
  beforeAll(async () => {
    [t, hook, smtp] = await Promise.all([
      startTestStore(),
      startWebhookStandIn(),
      startSmtpStandIn({ user: 'relay', password: PASSWORD }),
    ]);
    dir = await mkdtemp(join(tmpdir(), 'rackops-notify-'));
  });
  afterAll(async () => {
    await Promise.all([t?.close(), hook?.close(), smtp?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const writeSettings = async (mode: number) => {
    const file = join(dir, 'notify.json');
    await writeFile(
      file,
      JSON.stringify({
        webhooks: { default: hook.url },
        smtp: {
          host: '127.0.0.1',
          port: smtp.port,
          from: 'rackops@example.test',
          user: 'relay',
          password: PASSWORD,
        },
      }),
    );
    await chmod(file, mode);
    return file;
  };

  it('a settings file others can read is refused; nothing is configured from it', async () => {
    await writeSettings(0o644);
    await expect(loadLocalNotifySettings({ dataDir: dir, env: {} })).rejects.toThrow(/chmod 600/);
  });

  it('no file and no environment: the conversation only', async () => {
    const s = await loadLocalNotifySettings({ dataDir: join(dir, 'none'), env: {} });
    expect(s).toEqual({});
    expect(localNotificationChannels(s)).toEqual([]);
  });

  it('bad settings are refused without echoing a URL', async () => {
    const env = { RACKOPS_NOTIFY_WEBHOOK_URL: 'http://hooks.example.test/secret-sig-123' };
    const err = await loadLocalNotifySettings({ env }).catch((e: Error) => e);
    expect(String(err)).toContain('webhook settings are not valid: default');
    expect(String(err)).not.toContain('secret-sig-123');
  });

  it('delivers one valid card and one e-mail per address through the pipeline; no secret in any log line', async () => {
    const file = await writeSettings(0o600);
    // The environment overrides the file (here: the sender).
    const settings = await loadLocalNotifySettings({
      env: { RACKOPS_NOTIFY_FILE: file, RACKOPS_SMTP_FROM: 'ops-bot@example.test' },
    });
    expect(settings.smtp?.from).toBe('ops-bot@example.test');
    const banner = describeNotifySettings(settings);
    expect(banner).toBe(`conversation, Teams channel (1 webhook), e-mail via SMTP 127.0.0.1:${smtp.port}`);

    let global = switchKinds(emptyScope(), 'channel', 'on', ['job_paused']);
    global = switchKinds(global, 'email', 'on', ['job_paused']);
    global.emails = ['oncall@example.test', 'lead@example.test'];
    await saveScope(t.store, GLOBAL_SCOPE, global);
    const job = await t.store.createJob(aJob());

    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) });
    const pipeline = new NotificationPipeline({
      store: t.store,
      clock: systemClock,
      logger,
      channels: localNotificationChannels(settings, () => 'http://127.0.0.1:3978/'),
    });
    const event = { kind: 'job_paused', jobId: job.id, reason: '2 VMs block maintenance mode' } as const;
    expect(await pipeline.deliver(event)).toEqual({ delivered: 3, duplicates: 0, dead: 0 });
    expect(await pipeline.deliver(event)).toEqual({ delivered: 0, duplicates: 3, dead: 0 });

    expect(hook.invalid).toBe(0);
    expect(hook.cards).toHaveLength(1);
    expect(JSON.stringify(hook.cards[0])).toContain('2 VMs block maintenance mode');
    expect(smtp.mails.map((m) => m.to[0]).sort()).toEqual(['lead@example.test', 'oncall@example.test']);
    for (const m of smtp.mails) {
      expect(m.from).toBe('ops-bot@example.test');
      expect(m.text).toContain('2 VMs block maintenance mode');
      expect(m.html).toContain('http://127.0.0.1:3978/');
    }
    const log = await listDeliveries(t.store, { subject: `job:${job.id}` });
    expect(log.map((r) => `${r.channel}:${r.recipient}:${r.status}`).sort()).toEqual([
      'channel:default:delivered',
      'email:lead@example.test:delivered',
      'email:oncall@example.test:delivered',
    ]);

    // A webhook that now refuses: the failure is logged and recorded, still without its URL.
    await hook.close();
    const failing = new NotificationPipeline({
      store: t.store,
      clock: systemClock,
      logger,
      retry: { attempts: 2, baseDelayMs: 5 },
      channels: localNotificationChannels({ webhooks: settings.webhooks! }),
    });
    const other = { kind: 'job_paused', jobId: job.id, reason: 'again' } as const;
    expect(await failing.deliver(other)).toMatchObject({ dead: 1 });
    const all = [...lines, JSON.stringify(await listDeliveries(t.store))].join('\n');
    expect(all).toContain('notification dead letter');
    expect(all).not.toContain(new URL(hook.url).pathname);
    expect(all).not.toContain(PASSWORD);
    expect(banner).not.toContain(PASSWORD);
    expect(banner).not.toContain(new URL(hook.url).pathname);
  });
});
