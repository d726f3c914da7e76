import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { NotificationPipeline } from '@rackops/core/notifications/pipeline';
import { GLOBAL_SCOPE, emptyScope, saveScope, switchKinds } from '@rackops/core/notifications/settings';
import { systemClock } from '@rackops/core/ports/clock.port';
import type { NotificationChannel } from '@rackops/core/ports/notification-channel.port';
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../../core/test/job-factory';
import { emailChannel, readPrivateJsonFile } from '../../src/notifications/email-channel';
import { sesMailer } from '../../src/notifications/ses-mailer';
import { smtpMailer } from '../../src/notifications/smtp-mailer';
import { parseWebhookTargets, webhookChannel } from '../../src/notifications/webhook-channel';
import { listen, readBody, WorkflowsPayload } from '@rackops/local/testing/notify-endpoints';
import { startTestStore, type TestStore } from '../helpers/dynalite-store';

describe('notification channels against local counterparts', () => {
  let t: TestStore;
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });
  const pipeline = (channels: NotificationChannel[]) =>
    new NotificationPipeline({
      store: t.store,
      clock: systemClock,
      channels,
      logger,
      retry: { baseDelayMs: 5 },
    });

  beforeAll(async () => {
    t = await startTestStore();
    let global = emptyScope();
    for (const ch of ['channel', 'email'] as const)
      global = switchKinds(global, ch, 'on', ['job_paused', 'job_completed']);
    global.emails = ['ops@example.test', 'lead@example.test'];
    await saveScope(t.store, GLOBAL_SCOPE, global);
  });
  afterAll(async () => t?.close());

  it('Workflows webhook: 3 failures then success → one valid card delivered; the URL is in no log line', async () => {
    const received: unknown[] = [];
    let calls = 0;
    const server = createServer(async (req, res) => {
      const body = await readBody(req);
      calls += 1;
      if (calls <= 3) return void res.writeHead(503).end();
      const parsed = WorkflowsPayload.safeParse(JSON.parse(body));
      if (!parsed.success) return void res.writeHead(400).end();
      received.push(parsed.data);
      res.writeHead(202).end();
    });
    const port = await listen(server);
    try {
      const secretUrl = `http://127.0.0.1:${port}/workflows/abc?sig=TOPSECRETSIG`;
      const targets = parseWebhookTargets({ default: secretUrl }, true);
      const job = await t.store.createJob(aJob({ params: { clusterName: 'prod-a' } }));
      const out = await pipeline([webhookChannel({ targets: async () => targets })]).deliver({
        kind: 'job_paused',
        jobId: job.id,
        reason: '2 host(s) have VMs that block maintenance mode',
      });
      expect(out).toEqual({ delivered: 1, duplicates: 0, dead: 0 });
      expect(calls).toBe(4);
      expect(received).toHaveLength(1);
      expect(JSON.stringify(received[0])).toContain('prod-a');
      expect(logLines.some((l) => l.includes('delivery attempt failed'))).toBe(true);
      expect(logLines.join('\n')).not.toContain('TOPSECRETSIG');
      const stored = await t.store.listRecordsByParent('notification', `job:${job.id}`);
      expect(JSON.stringify(stored.items)).not.toContain('TOPSECRETSIG');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('webhook settings refuse plain http off loopback, credentials in the URL, and do not echo the URL', () => {
    expect(() => parseWebhookTargets({ default: 'http://hooks.example.test/x?sig=S3CR3T' })).toThrow(
      /default/,
    );
    expect(() => parseWebhookTargets({ default: 'https://u:p@hooks.example.test/x' })).toThrow();
    try {
      parseWebhookTargets({ default: 'http://hooks.example.test/x?sig=S3CR3T' });
    } catch (err) {
      expect(String(err)).not.toContain('S3CR3T');
    }
  });

  it('SMTP (nodemailer → smtp-server on loopback): one e-mail per recipient, text and HTML with the facts', async () => {
    const mails: Awaited<ReturnType<typeof simpleParser>>[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, cb) {
        simpleParser(stream)
          .then((m) => {
            mails.push(m);
            cb();
          })
          .catch(cb);
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    const port = (smtp.server.address() as AddressInfo).port;
    try {
      const job = await t.store.createJob(aJob({ params: { clusterName: 'prod-b' } }));
      const channel = emailChannel({
        mailer: smtpMailer({ host: '127.0.0.1', port, secure: false, from: 'rackops@example.test' }),
        from: 'rackops@example.test',
        link: () => 'http://127.0.0.1:3978/',
      });
      const out = await pipeline([channel]).deliver({
        kind: 'job_completed',
        jobId: job.id,
        summary: 'all hosts updated',
      });
      expect(out.delivered).toBe(2);
      expect(mails.map((m) => (Array.isArray(m.to) ? '' : m.to?.text)).sort()).toEqual([
        'lead@example.test',
        'ops@example.test',
      ]);
      const m = mails[0]!;
      expect(m.subject).toBe('[RackOps] Job completed: prod-b');
      expect(m.text).toContain('all hosts updated');
      expect(m.text).toContain(job.id);
      expect(m.html || '').toContain('<table>');
      expect(m.html || '').toContain('http://127.0.0.1:3978/');
    } finally {
      await new Promise<void>((r) => smtp.close(() => r()));
    }
  });

  it('SES v2 through the SDK against a local endpoint: SendEmail with the subject, both bodies and the address', async () => {
    const calls: { path: string; body: Record<string, unknown> }[] = [];
    const server = createServer(async (req, res) => {
      calls.push({ path: req.url ?? '', body: JSON.parse(await readBody(req)) as Record<string, unknown> });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"MessageId":"m-1"}');
    });
    const port = await listen(server);
    try {
      const client = new SESv2Client({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
      });
      const job = await t.store.createJob(aJob());
      await emailChannel({ mailer: sesMailer(client), from: 'rackops@example.test' }).send(
        { kind: 'job_paused', jobId: job.id, reason: 'blockers' },
        'ops@example.test',
        { job, settings: { global: emptyScope() } },
      );
      expect(calls).toHaveLength(1);
      expect(calls[0]?.path).toBe('/v2/email/outbound-emails');
      const body = calls[0]?.body as {
        FromEmailAddress: string;
        Destination: { ToAddresses: string[] };
        Content: {
          Simple: { Subject: { Data: string }; Body: { Text: { Data: string }; Html: { Data: string } } };
        };
      };
      expect(body.FromEmailAddress).toBe('rackops@example.test');
      expect(body.Destination.ToAddresses).toEqual(['ops@example.test']);
      expect(body.Content.Simple.Subject.Data).toContain('Job paused');
      expect(body.Content.Simple.Body.Text.Data).toContain(job.id);
      expect(body.Content.Simple.Body.Html.Data).toContain('<table>');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('a secrets file readable by others is refused; 0600 is read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rackops-notify-'));
    try {
      const file = join(dir, 'webhooks.json');
      await writeFile(file, JSON.stringify({ default: 'https://hooks.example.test/x' }));
      await chmod(file, 0o644);
      await expect(readPrivateJsonFile(file)).rejects.toThrow(/chmod 600/);
      await chmod(file, 0o600);
      await expect(readPrivateJsonFile(file)).resolves.toEqual({ default: 'https://hooks.example.test/x' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
