import type { ChatUser } from '@rackops/bot/testing/harness';
import type { Job } from '@rackops/core/jobs/job.schema';
import { LOCAL_BOT_CONFIG, localProductionClusters } from '../web/local-bot';
import { startScenario } from './driver';
import { failureLines, isDone, resolveWizard, sleep } from './lab-facts';

/** The two people of `npm start`'s web chat, as Web Chat names them (`?user=local-approver`). */
const OPERATOR: ChatUser = { id: 'local-operator', name: 'local-operator' };
const APPROVER: ChatUser = { id: 'local-approver', name: 'local-approver' };

/**
 * Runbook: with `npm start`'s bot config (roles, and production clusters from PRODUCTION_CLUSTERS, default lab-b),
 * the operator asks for a rolling update of lab-b. It must wait for a second person: it does not start, and the
 * operator's own click on Approve is refused. The approver, in a chat of their own, finds it with `approvals`,
 * shows it with `job ID` and approves; the rollout then runs to the end (the operator, told it paused, shows the
 * blocker wizard with `resume ID` and answers it).
 */
export async function run() {
  const d = await startScenario({
    botConfig: { ...LOCAL_BOT_CONFIG, productionClusters: localProductionClusters() },
    operator: OPERATOR,
  });
  try {
    await d.say('update cluster lab-b');
    const requested = await d.waitForJob('rolling_cluster_update', () => true, 10_000);
    // Long enough for a job that was started to show it (an execution, a step, a status change).
    await sleep(2000);
    const stillWaiting = async (): Promise<boolean> => {
      const j = await d.stack.store.getJob(requested.id);
      const steps = await d.stack.store.listSteps(requested.id);
      return (
        !!j?.requiresApproval && j.status === 'pending' && !j.executionId && !j.approvedBy && !steps.length
      );
    };
    const waited = await stillWaiting();

    const ownClick = await d.clickCard('Approve', 'Approve');
    const selfApprovalRefused =
      ownClick.some((t) => t.includes('Four-eyes') && t.includes('different person')) &&
      (await stillWaiting());

    const listed = await d.say('approvals', APPROVER, 'conv-approver');
    if (!listed.some((t) => t.includes(requested.id)))
      throw new Error(
        `the approver's \`approvals\` does not list job ${requested.id}: ${listed.join(' | ')}`,
      );
    await d.say(`job ${requested.id}`, APPROVER, 'conv-approver');
    await d.clickCard('Approve', 'Approve', { as: APPROVER, conversation: 'conv-approver' });

    const reached = await d.waitForJob(
      'rolling_cluster_update',
      (j) => j.id === requested.id && (j.status === 'paused' || isDone(j)),
      180_000,
    );
    if (reached.status === 'paused') {
      // The live card is the approver's now (`job ID` posted it there): the operator asks for the wizard again.
      await d.say(`resume ${requested.id}`);
      await resolveWizard(d, { vmActions: { 'installer-01': 'power_off' } });
    }
    const job: Job = await d.waitForJob(
      'rolling_cluster_update',
      (j) => j.id === requested.id && isDone(j),
      600_000,
    );
    const approvedBy = job.approvedBy?.id ?? null;
    const ok = waited && selfApprovalRefused && approvedBy === APPROVER.id && job.status === 'completed';
    return {
      ok,
      waited,
      selfApprovalRefused,
      approvedBy,
      ...(ok ? {} : { status: job.status, error: failureLines(job) }),
    };
  } finally {
    await d.close();
  }
}
