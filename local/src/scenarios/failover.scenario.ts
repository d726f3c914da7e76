import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APPROVER, GROUP, startDrRun } from './dr-run';

/**
 * Runbook, by chat on the DR lab with real zfs-fuse: a test failover and its clean up (no clone, no VM, no
 * datastore left at DR); then a planned failover: a marker file written in a VM's directory just before the
 * shutdown must be at DR after it (data loss measured, not assumed), every VM up at DR, *Commit*; the group
 * now replicates DR → original site, and one such reverse replication runs.
 */
export async function run() {
  const r = await startDrRun();
  if ('skipped' in r) return { ok: false, skipped: r.skipped };
  const { d, sites } = r;
  try {
    const clones = async () =>
      (await sites.zfs('list', '-H', '-o', 'name')).split('\n').filter((n) => n.includes('rackops-test-'));

    // 1. Test failover, then Clean up.
    await d.say(`failover test ${GROUP} confirm`);
    const test = await r.waitNewest('failover_test', ['paused', 'completed', 'failed']);
    const testUp = r.drVms().filter((v) => v.powerState === 'poweredOn').length;
    if (test.status !== 'paused')
      return { ok: false, step: 'failover test', status: test.status, error: test.error?.slice(0, 300) };
    await r.click('🧪 Test failover up at DR', 'Clean up');
    const testDone = await r.waitNewest('failover_test', ['completed', 'failed', 'cancelled']);
    const drDatastores = () => r.world.vcenters.get('vc-dr')?.nfsDatastores.length ?? 0;
    const testCleanedUp =
      test.status === 'paused' &&
      testDone.status === 'completed' &&
      (await clones()).length === 0 &&
      r.drVms().length === 0 &&
      drDatastores() === 0;

    // 2. Planned failover: the plan card, then confirm; a marker written just before it starts.
    const plan = (await d.say(`failover ${GROUP}`)).join('\n');
    const planFirst =
      plan.includes('Planned failover of gold: the plan') && (await r.jobs('failover')).length === 0;
    const vm = r.vms[0] ?? 'web-01';
    const marker = `marker-${Date.now()}.txt`;
    await writeFile(join(sites.mountpoint(r.src), vm, marker), `written ${new Date().toISOString()}\n`);
    const started = Date.now();
    await d.say(`failover ${GROUP} confirm`);
    const pending = await r.waitNewest('failover', ['pending', 'running', 'paused', 'failed'], 60_000);
    if (pending.requiresApproval && !pending.approvedBy) await r.click('Approve', 'Approve', APPROVER);
    const up = await r.waitNewest('failover', ['paused', 'completed', 'failed']);
    const rto_s = (Date.now() - started) / 1000;
    const vmsUpAtDr = r.drVms().filter((v) => v.powerState === 'poweredOn').length;
    await sites.remount(r.dst).catch(() => undefined);
    const atDr = await access(join(sites.mountpoint(r.dst), vm, marker)).then(
      () => true,
      () => false,
    );
    const dataLoss = atDr ? 0 : 1;

    // 3. Commit, then one reverse replication (DR → original site).
    await r.click('Failover up at DR', 'Commit');
    const done = await r.waitNewest('failover', ['completed', 'failed', 'cancelled']);
    const g = await r.group();
    const syncsBefore = (await r.jobs('replication_sync')).length;
    await d.say(`replicate ${GROUP} now`);
    const reverse = await r.waitNewest('replication_sync', ['completed', 'failed']);
    const result = (done.details.result ?? {}) as { reversed?: boolean; outcome?: string };
    const reversed =
      result.reversed === true &&
      g.source.appliance === 'nas-b' &&
      reverse.status === 'completed' &&
      (await r.jobs('replication_sync')).length === syncsBefore + 1;
    const checks = {
      planFirst,
      paused: up.status === 'paused',
      committed: done.status === 'completed' && result.outcome === 'committed',
    };
    return {
      ok:
        testCleanedUp &&
        dataLoss === 0 &&
        vmsUpAtDr === r.vms.length &&
        reversed &&
        Object.values(checks).every(Boolean),
      testCleanedUp,
      dataLoss,
      vmsUpAtDr,
      reversed,
      ...checks,
      testVmsUp: testUp,
      rto_s: Math.round(rto_s * 10) / 10,
      summary: done.summary?.slice(0, 200),
      ...(done.status !== 'completed' ? { error: done.error?.slice(0, 300) } : {}),
    };
  } finally {
    await r.close();
  }
}
