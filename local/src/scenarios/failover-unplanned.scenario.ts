import { ADMIN, APPROVER, GROUP, startDrRun } from './dr-run';

/**
 * Runbook: the group replicated once, then its source appliance stops (its sshd closed: nothing answers). An
 * admin runs `failover gold unplanned "…"`: the plan card states the loss window, the newest replica is
 * promoted at DR and the VMs come up. The loss window the job reports is checked against the replica's age
 * measured here (the job's start minus the replica's snapshot time), to the second. Then *Commit*: the original
 * appliance does not answer, so no reverse replication; the group waits, paused.
 */
export async function run() {
  const r = await startDrRun({ ownSourceSshd: true });
  if ('skipped' in r) return { ok: false, skipped: r.skipped };
  const { d } = r;
  try {
    await r.stopSource();
    // The replica ages a few seconds before the failover: the window is then clearly not zero.
    await new Promise((res) => setTimeout(res, 3000));
    const cmd = `failover ${GROUP} unplanned "source appliance stopped"`;
    const plan = (await d.say(cmd, ADMIN)).join('\n');
    const refused = (await d.say(`${cmd} confirm`)).join('\n').includes('**admin** role');
    await d.say(`${cmd} confirm`, ADMIN);
    // The group is production: even an unplanned failover waits for a second person.
    const pending = await r.waitNewest('failover', ['pending', 'running', 'paused', 'failed'], 60_000);
    if (pending.requiresApproval && !pending.approvedBy) await r.click('Approve', 'Approve', APPROVER);
    const up = await r.waitNewest('failover', ['paused', 'completed', 'failed']);
    const g = await r.group();
    const snapshotAt = g.lastReplica?.snapshotAt ?? '';
    // Measured here: how old the replica was when the job started (after the approval).
    const replicaAgeS = (Date.parse(up.startedAt ?? up.createdAt) - Date.parse(snapshotAt)) / 1000;
    const lossWindowS = Number(up.details.lossWindowS);
    const vmsUpAtDr = r.drVms().filter((v) => v.powerState === 'poweredOn').length;
    await r.click('Failover up at DR', 'Commit', ADMIN);
    const done = await r.waitNewest('failover', ['completed', 'failed', 'cancelled']);
    const result = (done.details.result ?? {}) as { reversed?: boolean; outcome?: string };
    const after = await r.group();
    const checks = {
      planFirst: plan.includes('Unplanned failover of gold: the plan'),
      operatorRefused: refused,
      paused: up.status === 'paused',
      withinOneSecond: Number.isFinite(lossWindowS) && Math.abs(lossWindowS - replicaAgeS) <= 1,
      committed: done.status === 'completed' && result.outcome === 'committed',
      // The original site is gone: nothing replicates into it until someone resumes the group.
      notReversed: result.reversed === false && after.state === 'paused',
    };
    return {
      ok: vmsUpAtDr === r.vms.length && Object.values(checks).every(Boolean),
      lossWindowS,
      replicaAgeS: Math.round(replicaAgeS * 10) / 10,
      vmsUpAtDr,
      ...checks,
      summary: done.summary?.slice(0, 200),
      ...(done.status !== 'completed' ? { error: done.error?.slice(0, 300) } : {}),
    };
  } finally {
    await r.close();
  }
}
