import { listDeliveries } from '@rackops/core/notifications/delivery-log';
import type { ChatUser } from '@rackops/bot/testing/harness';
import { loadLocalNotifySettings, localNotificationChannels } from '../notify-channels';
import { startSmtpStandIn, startWebhookStandIn } from '../testing/notify-endpoints';
import { startScenario } from './driver';
import { failureLines, isDone, startUpdatePastBlockers } from './lab-facts';

const ADMIN: ChatUser = { id: '29:admin', name: 'Ann Admin', aadObjectId: 'aad-admin' };
const KINDS = ['job_paused', 'job_completed'] as const;
const CHAT_LINK = 'http://127.0.0.1:3978/';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How many items are there more than once (by `key`). */
const repeats = <T>(items: T[], key: (t: T) => string): number => items.length - new Set(items.map(key)).size;

/**
 * Runbook: an admin sends pauses and completions to the team's Teams channel and to the on-call address; an
 * operator starts a rollout of lab-b, which pauses on its blockers. The conversation gets the blocker card and
 * a message, the channel (a Workflows webhook on loopback that checks each payload) one card, the SMTP server
 * one e-mail; the operator answers the wizard and the completion reaches all three. The same events raised
 * again (a retried Lambda) are delivered to nobody.
 */
export async function run() {
  const [hook, smtp] = await Promise.all([startWebhookStandIn(), startSmtpStandIn()]);
  // The local stack's settings path: the environment (or a 0600 file), the same adapters as AWS.
  const settings = await loadLocalNotifySettings({
    env: {
      RACKOPS_NOTIFY_WEBHOOK_URL: hook.url,
      RACKOPS_SMTP_HOST: '127.0.0.1',
      RACKOPS_SMTP_PORT: String(smtp.port),
      RACKOPS_SMTP_FROM: 'rackops@example.test',
    },
  });
  const d = await startScenario({
    botConfig: {
      roles: { viewer: [], operator: ['aad-oper'], approver: ['aad-appr'], admin: ['aad-admin'] },
      cardSecret: 'scenario-card-secret-0123456789abcdef',
      progressMinIntervalMs: 200,
    },
    notificationChannels: localNotificationChannels(settings, () => CHAT_LINK),
  }).catch(async (err) => {
    await Promise.all([hook.close(), smtp.close()]);
    throw err;
  });
  try {
    const setup = [
      ...(await d.say(`notify channel on ${KINDS.join(',')}`, ADMIN, 'conv-admin')),
      ...(await d.say(`notify email on ${KINDS.join(',')}`, ADMIN, 'conv-admin')),
      ...(await d.say('notify email add oncall@example.test', ADMIN, 'conv-admin')),
    ];
    const settingsSaid = setup.filter((t) => t.startsWith('✅ Notifications')).length === 3;
    const paused = await startUpdatePastBlockers(d, 'update cluster lab-b batch 2');
    const pauseCard = d.texts().some((t) => t.startsWith('⏸️ Paused'));
    const atPause = { channel: hook.cards.length, email: smtp.mails.length };
    const job = await d.waitForJob('rolling_cluster_update', isDone, 600_000);
    // The completion goes out right after the job's last write: give the three channels a moment.
    const want = KINDS.length;
    for (let i = 0; i < 100 && (hook.cards.length < want || smtp.mails.length < want); i++) await sleep(100);
    const log = (await listDeliveries(d.stack.store, { subject: `job:${job.id}`, limit: 100 })).filter(
      (r) => r.status === 'delivered',
    );
    // A retried Lambda, or the execution-status safety net racing the workflow: the same events again.
    const sent = d.notifications.filter((e) => 'jobId' in e && e.jobId === job.id);
    let suppressed = 0;
    let delivered = 0;
    for (const e of sent) {
      const o = await d.bot.notifier.deliver(e);
      suppressed += o.duplicates;
      delivered += o.delivered;
    }
    const conversation = log.filter((r) => r.channel === 'conversation').length;
    const duplicates =
      delivered +
      repeats(hook.cards, (c) => JSON.stringify(c.body[0])) +
      repeats(smtp.mails, (m) => `${m.to.join(',')}|${m.subject}`) +
      repeats(log, (r) => `${r.eventKey}|${r.channel}|${r.recipient}`);
    const cardText = hook.cards.map((c) => JSON.stringify(c));
    const checks = {
      settingsSaid,
      paused: paused.status === 'paused',
      pauseCard,
      jobCompleted: job.status === 'completed',
      channelAtPause: atPause.channel === 1 && (cardText[0] ?? '').includes('Job paused'),
      emailAtPause: atPause.email === 1,
      completionInChat: d.texts().some((t) => t.startsWith('✅ lab-b')),
      completionOnChannel: (cardText[1] ?? '').includes('Job completed'),
      completionByEmail: smtp.mails.some((m) => /completed/i.test(m.subject)),
      onePerKind: hook.cards.length === want && smtp.mails.length === want,
      mailsLinkBack: smtp.mails.every((m) => m.html.includes(CHAT_LINK) && m.text.includes(job.id)),
      payloadsValid: hook.invalid === 0,
      resendSuppressed: suppressed > 0 && delivered === 0,
    };
    const ok = Object.values(checks).every(Boolean) && duplicates === 0;
    return {
      ok,
      conversation,
      channel: hook.cards.length,
      email: smtp.mails.length,
      duplicates,
      suppressed,
      ...(ok ? {} : { checks }),
      ...(job.status !== 'completed' ? { error: failureLines(job) } : {}),
    };
  } finally {
    await d.close();
    await Promise.all([hook.close(), smtp.close()]);
  }
}
