import { listDeliveries } from '@rackops/core/notifications/delivery-log';
import { createWindowStore } from '@rackops/core/windows/window-store';
import type { ChatUser } from '@rackops/bot/testing/harness';
import { loadLocalNotifySettings, localNotificationChannels } from '../notify-channels';
import { startSmtpStandIn, startWebhookStandIn } from '../testing/notify-endpoints';
import { APPROVER, type ScenarioDriver, startScenario } from './driver';
import { failureLines, hostTags, inMaintenance, isDone, labOf, startUpdatePastBlockers } from './lab-facts';

const ADMIN: ChatUser = { id: '29:admin', name: 'Ann Admin', aadObjectId: 'aad-admin' };
/** What the channel and the e-mail are switched on for (the conversation hears everything). */
const KINDS = ['job_paused', 'job_completed', 'cluster_unsafe', 'window_outcome'] as const;
const CHAT_LINK = 'http://127.0.0.1:3978/';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How many items are there more than once (by `key`). */
const repeats = <T>(items: T[], key: (t: T) => string): number => items.length - new Set(items.map(key)).size;

/**
 * A window on lab-a for the next whole minute, which a second person rejects: its schedule fires all the same and
 * the claim handler skips the occurrence, with the reason. Returns the window id and its occurrence once ended.
 */
async function rejectedWindow(
  d: ScenarioDriver,
): Promise<{ id?: string; wait: () => Promise<string | undefined> }> {
  const at = new Date(Math.ceil((Date.now() + 30_000) / 60_000) * 60_000);
  const created = (
    await d.say(
      `window create lab-a on ${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 16)} UTC for 60m`,
    )
  ).join('\n');
  const id = /Window `([^`]+)` created/.exec(created)?.[1];
  if (!id) return { wait: async () => `window not created: ${created.slice(0, 300)}` };
  await d.say(`window reject ${id}`, APPROVER);
  const windows = createWindowStore(d.stack.store);
  return {
    id,
    async wait() {
      for (const end = Date.now() + 180_000; Date.now() < end; await sleep(500)) {
        const o = (await windows.listOccurrences(id)).find((x) => x.status !== 'scheduled');
        if (o) return o.status;
      }
      return undefined;
    },
  };
}

/**
 * Runbook: an admin sends pauses, completions, unsafe clusters and window outcomes to the team's Teams channel and
 * to the on-call address; an operator starts a rollout of lab-b, which pauses on its blockers. The conversation
 * gets the blocker card and a message, the channel (a Workflows webhook on loopback that checks each payload) one
 * card, the SMTP server one e-mail; the operator answers the wizard and the completion reaches all three. Then a
 * rollout of lab-a whose first host never comes back from its reboot: it stays in maintenance mode, the cluster
 * is not safe (`cluster_unsafe`, to all three); meanwhile a rejected window on lab-a is skipped when it fires
 * (`window_outcome`, to all three). The same events raised again (a retried Lambda) are delivered to nobody.
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
    for (let i = 0; i < 100 && (hook.cards.length < 2 || smtp.mails.length < 2); i++) await sleep(100);
    const log = (await listDeliveries(d.stack.store, { subject: `job:${job.id}`, limit: 100 })).filter(
      (r) => r.status === 'delivered',
    );
    const atCompletion = { channel: hook.cards.length, email: smtp.mails.length };

    // lab-a: a window a second person rejected, and a rollout whose hosts never come back from their reboot.
    const window = await rejectedWindow(d);
    const lab = labOf(d.stack);
    for (const tag of hostTags(lab, 'lab-a')) lab.faults.set(tag, { rebootHangs: true });
    await startUpdatePastBlockers(d, 'update cluster lab-a');
    const failed = await d.waitForJob(
      'rolling_cluster_update',
      (j) => j.target.id !== job.target.id && isDone(j),
      600_000,
    );
    // The job reads failed before `finish` has told its ending: the cluster first, the job's failure last.
    for (
      let i = 0;
      i < 600 && !d.notifications.some((e) => e.kind === 'job_failed' && e.jobId === failed.id);
      i++
    )
      await sleep(100);
    const leftInMaintenance = inMaintenance(lab, 'lab-a');
    const windowStatus = await window.wait();
    // Channel and e-mail get each event of the kinds switched on, of this runbook's jobs (lab-a pauses on its
    // blockers too) and the two without a job.
    const configured: readonly string[] = KINDS;
    const want = d.notifications.filter(
      (e) => configured.includes(e.kind) && (!('jobId' in e) || e.jobId === job.id || e.jobId === failed.id),
    ).length;
    for (let i = 0; i < 100 && (hook.cards.length < want || smtp.mails.length < want); i++) await sleep(100);
    const told = (kind: string) => d.notifications.filter((e) => e.kind === kind);
    const unsafeText = JSON.stringify(told('cluster_unsafe'));
    const windowText = JSON.stringify(told('window_outcome'));

    // A retried Lambda, or the execution-status safety net racing the workflow: the same events again.
    const sent = d.notifications.filter(
      (e) =>
        ('jobId' in e && e.jobId === job.id) || e.kind === 'cluster_unsafe' || e.kind === 'window_outcome',
    );
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
      completionOnChannel: atCompletion.channel === 2 && (cardText[1] ?? '').includes('Job completed'),
      completionByEmail: atCompletion.email === 2 && smtp.mails.some((m) => /completed/i.test(m.subject)),
      labAFailed: failed.target.id !== job.target.id && failed.status === 'failed',
      // Named by host name: as many as the lab shows in maintenance mode.
      unsafeTold:
        told('cluster_unsafe').length === 1 &&
        leftInMaintenance.length > 0 &&
        unsafeText.includes(`${leftInMaintenance.length} host(s) left in maintenance mode`),
      unsafeInChat: d.texts().some((t) => t.startsWith('🚨 Cluster')),
      unsafeOnChannel: cardText.some((c) => c.includes('Cluster not safe')),
      unsafeByEmail: smtp.mails.some((m) => /not safe/i.test(m.subject)),
      windowSkipped: windowStatus === 'skipped',
      windowTold: told('window_outcome').length === 1 && /skipped: rejected by/.test(windowText),
      windowInChat: d
        .texts()
        .some((t) => t.startsWith('⏭️ Maintenance') && !!window.id && t.includes(window.id)),
      windowOnChannel: cardText.some((c) => c.includes('Maintenance window')),
      windowByEmail: smtp.mails.some((m) => !!window.id && m.text.includes(window.id)),
      onePerEvent: want === 5 && hook.cards.length === want && smtp.mails.length === want,
      mailsLinkBack:
        smtp.mails.every((m) => m.html.includes(CHAT_LINK)) &&
        smtp.mails.filter((m) => m.text.includes(job.id)).length === 2,
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
      kinds: [...new Set(d.notifications.map((e) => e.kind))].sort(),
      ...(ok
        ? {}
        : {
            checks,
            windowStatus,
            leftInMaintenance,
            told: d.notifications.map((e) => `${e.kind}: ${JSON.stringify(e).slice(0, 300)}`),
            cards: hook.cards.map((c) => JSON.stringify(c.body[0]).slice(0, 200)),
            mails: smtp.mails.map((m) => m.subject),
          }),
      ...(job.status !== 'completed' ? { error: failureLines(job) } : {}),
    };
  } finally {
    await d.close();
    await Promise.all([hook.close(), smtp.close()]);
  }
}
