import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPORT_NOTE_KEY } from '@rackops/core/jobs/job-report.schema';
import type { Job } from '@rackops/core/jobs/job.schema';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import { smallLab } from '@rackops/lab/testing/small-lab';
import { startLinkSwitch } from '@rackops/lab/zfs/link-switch';
import { startZfsSites, zfsSitesUnavailable } from '@rackops/lab/zfs/zfs-sites';
import { APPROVER, startScenario } from './driver';

const GROUP = 'lab-vms';
/** The local scheduler runs a 1-minute schedule every 5 s; the RPO (1 min) is real time. */
const INTERVAL_SCALE = 1 / 12;

/**
 * Runbook: an operator protects a dataset by chat (RPO 1 min: a sync every 30 s, run every 5 s here). The
 * inventory does not know its datastore, so the group is production: it waits, unscheduled, while its creator's
 * own approval is refused, until a second person approves it. Two
 * scheduled runs replicate it — a full send, then the increment with a changed VM file. The target appliance
 * becomes unreachable: runs fail at their preflight (a run already past it, at send/receive), and once the replica is older than the RPO the group's
 * conversation is told once. The link comes back; the next scheduled run catches up with an increment and
 * the target holds the source's files byte for byte.
 */
export async function run() {
  const unavailable = zfsSitesUnavailable();
  if (unavailable) return { ok: false, skipped: `no ZFS sites here: ${unavailable}` };
  const sites = await startZfsSites();
  const link = await startLinkSwitch({ host: sites.sshd.host, port: sites.sshd.port });
  const site = {
    host: sites.sshd.host,
    port: sites.sshd.port,
    user: sites.sshd.username,
    keyFile: sites.sshd.clientKeyPath,
    hostKeyFingerprint: sites.sshd.hostKeyFingerprint,
  };
  const src = `${sites.sourcePool}/vmstore`;
  const dst = `${sites.targetPool}/vmstore`;
  try {
    await sites.zfs('create', src);
    await mkdir(join(sites.mountpoint(src), 'vm1'), { recursive: true });
    const disk = randomBytes(2 * 1024 * 1024);
    await writeFile(join(sites.mountpoint(src), 'vm1', 'vm1-flat.vmdk'), disk);

    const d = await startScenario({
      lab: smallLab(1),
      syncInventory: false,
      schedulerIntervalScale: INTERVAL_SCALE,
      // The target appliance is reached through the switch, as through its own network link.
      zfs: { sites: { 'nas-a': site, 'nas-b': { ...site, port: link.port } } },
    });
    try {
      const runs = () =>
        d.stack.store
          .listJobsByTarget('protection_group', GROUP, { limit: 100 })
          .then((p) => p.items.sort((a, b) => a.createdAt.localeCompare(b.createdAt)));
      const waitRun = async (until: (done: Job[], all: Job[]) => boolean, what: string, ms = 150_000) => {
        const end = Date.now() + ms;
        for (;;) {
          const all = await runs();
          if (
            until(
              all.filter((j) => j.status === 'completed'),
              all,
            )
          )
            return all;
          if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`);
          await new Promise((r) => setTimeout(r, 250));
        }
      };
      const replica = async () =>
        (await createProtectionGroupStore(d.stack.store).get(GROUP))?.value.lastReplica;

      const created = await d.say(`pg create ${GROUP} nas-a:${src} nas-b:${dst} rpo 1 keep 3`);
      const selfApproval = (await d.say(`pg approve ${GROUP}`)).join('\n');
      // Several scheduler periods pass: a group awaiting approval is never replicated.
      await new Promise((r) => setTimeout(r, 12_000));
      const runsWhilePending = (await runs()).length;
      const approved = (await d.say(`pg approve ${GROUP}`, APPROVER, 'conv-approver')).join('\n');
      // Run 1 (scheduled): the full send.
      await waitRun((done) => done.length >= 1, 'first scheduled run');
      const first = await replica();
      // A VM file changes; run 2 (scheduled) carries it as an increment.
      const nvram = randomBytes(256 * 1024);
      await writeFile(join(sites.mountpoint(src), 'vm1', 'vm1.nvram'), nvram);
      const changedAt = new Date().toISOString();
      await waitRun((done) => done.some((j) => j.createdAt > changedAt), 'second scheduled run');
      const second = await replica();

      // The target appliance drops off the network: runs fail until the RPO is breached and told.
      await link.cut();
      const cutAt = Date.now();
      const breachEnd = Date.now() + 150_000;
      while (!d.notifications.some((n) => n.kind === 'rpo_breached') && Date.now() < breachEnd)
        await new Promise((r) => setTimeout(r, 500));
      const breach = d.notifications.find((n) => n.kind === 'rpo_breached');
      const breachAfter_s = (Date.now() - cutAt) / 1000;
      const failedWhileDown = (await runs()).filter((j) => j.status === 'failed');
      // The event is recorded before the bot delivers it: give the conversation a moment.
      let chatToldBreach = false;
      for (let i = 0; i < 40 && breach && !chatToldBreach; i++) {
        chatToldBreach = d.texts().some((t) => t.includes(`**${GROUP}** is past its RPO`));
        if (!chatToldBreach) await new Promise((r) => setTimeout(r, 250));
      }

      // The link comes back: the next scheduled run catches up.
      await link.restore();
      const restoredAt = new Date().toISOString();
      await waitRun((done) => done.some((j) => j.createdAt > restoredAt), 'run after recovery');
      const third = await replica();
      const groups = (await d.say('protection groups')).join('\n');
      await d.say(`pg pause ${GROUP}`);
      // A run already started finishes before the pools go.
      await waitRun(
        (_, all) => all.every((j) => j.status !== 'running' && j.status !== 'pending'),
        'quiet',
        60_000,
      );

      const identical =
        Buffer.compare(await sites.readFresh(dst, 'vm1', 'vm1-flat.vmdk'), disk) === 0 &&
        Buffer.compare(await sites.readFresh(dst, 'vm1', 'vm1.nvram'), nvram) === 0;
      const all = await runs();
      const completed = all.filter((j) => j.status === 'completed');
      // Each completed run's report carries its space check's estimate (zfs-fuse: by `referenced`).
      const estimates = await Promise.all(
        completed.map(async (j) =>
          (
            await d.stack.store.getJobItem<{ facts: { title: string; value: string }[] }>(
              j.id,
              'note',
              REPORT_NOTE_KEY,
            )
          )?.facts.find((f) => f.title === 'Estimate'),
        ),
      );
      const checks = {
        createdByChat: created.some((t) => t.includes(`Protection group **${GROUP}** created`)),
        pendingUntilApproved:
          created.some((t) => t.includes('waits for four-eyes approval')) && runsWhilePending === 0,
        // The creator (an operator) is refused: by role here, by four-eyes when an approver creates (bot tests).
        creatorApprovalRefused: /\*\*approver\*\* role/.test(selfApproval),
        approvedBySecondPerson: approved.includes(`**${GROUP}** approved by ${APPROVER.name}`),
        firstFull: first?.incremental === false,
        incremental: second?.incremental === true && third?.incremental === true,
        rpoBreachNotified: breach !== undefined && chatToldBreach,
        breachToldOnce: d.notifications.filter((n) => n.kind === 'rpo_breached').length === 1,
        failedWhileDown: failedWhileDown.length > 0,
        failureNamesStep: failedWhileDown.every((j) =>
          /(preflight|preflight \(space for the send\)|send\/receive) failed/.test(j.error ?? ''),
        ),
        // Stopped before any snapshot: the preflight finds the target appliance gone.
        failedAtPreflight: failedWhileDown.some((j) => /^failed: preflight failed: /.test(j.error ?? '')),
        estimateReported: estimates.length > 0 && estimates.every((e) => e !== undefined),
        recovered: third !== undefined && third.snapshotAt > (second?.snapshotAt ?? ''),
        greenAgain: groups.includes(`🟢 **${GROUP}**`),
      };
      const { incremental, rpoBreachNotified, ...rest } = checks;
      return {
        ok: identical && Object.values(checks).every(Boolean),
        runs: completed.length,
        incremental,
        rpoBreachNotified,
        identical,
        ...rest,
        failedRuns: all.filter((j) => j.status === 'failed').length,
        breach_after_s: Math.round(breachAfter_s),
        full_bytes: first?.bytes,
        incr_bytes: second?.bytes,
        catch_up_bytes: third?.bytes,
      };
    } finally {
      await d.close();
    }
  } finally {
    await link.close();
    await sites.close();
  }
}
