import { REPORT_NOTE_KEY } from '../../jobs/job-report.schema';
import { type Actor, type Job, isTerminal } from '../../jobs/job.schema';
import type { JobReport } from '../../jobs/job-report.schema';
import { reportText } from '../job-report';
import type { OpsDeps } from './ops-deps';
import { details, log, putStep } from './progress';

const SYSTEM: Actor = { kind: 'system', id: 'rackops' };

/**
 * The end of a job whose outcome is its report: the report kept as the job's note and shown as its last step,
 * the job completed or failed with the report's text (unless a cancel already ended it), and the outcome told.
 */
export async function finishWithReport(
  deps: OpsDeps,
  job: Job,
  report: JobReport,
  fields: Record<string, unknown>,
): Promise<void> {
  const outcome = report.outcome;
  const summary = reportText(report).slice(0, 8000);
  await deps.store.putJobItem(job.id, 'note', REPORT_NOTE_KEY, JSON.parse(JSON.stringify(report)));
  await putStep(deps, job.id, {
    key: 'report',
    name: 'Report',
    status: 'completed',
    message: report.summary,
  });
  await log(deps, job.id, outcome === 'completed' ? 'info' : 'error', `job ${summary}`);
  await details(deps, job.id, fields);
  const fresh = await deps.store.getJob(job.id);
  if (fresh && !isTerminal(fresh.status)) {
    await deps.store.transitionJob(
      job.id,
      outcome === 'completed'
        ? { type: 'complete', actor: SYSTEM, summary }
        : { type: 'fail', actor: SYSTEM, error: summary, summary },
    );
  }
  await deps.notifier.notify(
    outcome === 'completed'
      ? { kind: 'job_completed', jobId: job.id, summary: report.summary }
      : { kind: 'job_failed', jobId: job.id, error: report.summary },
  );
}
