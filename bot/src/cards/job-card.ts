import type { AdaptiveCard } from '@microsoft/teams-ai';
import type { Job } from '@rackops/core/jobs/job.schema';
import { isTerminal } from '@rackops/core/jobs/job.schema';
import type { JobView } from '@rackops/core/usecases/job-queries';
import { signCardData } from './card-data';
import { action, card, cardBytes, heading, text } from './elements';
import { renderFailoverPause } from './failover-card';
import { renderFailoverTestPause } from './failover-test-card';
import { jobLabel } from './job-label';
import { type RenderOptions, jobFacts, jobRef, jobTitle } from './job-parts';
import { PROGRESS_BUDGETS, renderProgress } from './progress-card';
import { REPORT_BUDGETS, renderEndedWithoutReport, renderReport } from './report-card';
import { renderWizard } from './wizard-card';

export { jobRef, jobTitle, type RenderOptions } from './job-parts';

/** The one card a job has in a conversation, rendered from the Store: approval, blocker wizard, progress, report. */
export function renderJobCard(view: JobView, opts: RenderOptions): AdaptiveCard {
  const { job } = view;
  if (job.status === 'pending' && job.requiresApproval && !job.approvedBy) return renderApproval(job, opts);
  if (job.status === 'paused' && job.pauseKind === 'blockers' && view.blockers.length)
    return renderWizard(view, opts);
  if (job.status === 'paused' && job.type === 'failover_test') return renderFailoverTestPause(job, opts);
  if (job.status === 'paused' && job.type === 'failover') return renderFailoverPause(job, opts);
  if (isTerminal(job.status)) {
    const { report } = view;
    if (!report)
      return firstThatFits(
        REPORT_BUDGETS.map((_, i) => () => renderEndedWithoutReport(view, opts, 3000 >> i)),
        opts,
      );
    return firstThatFits(
      REPORT_BUDGETS.map((b) => () => withRefresh(renderReport(view, report, opts, b), job, opts)),
      opts,
    );
  }
  return firstThatFits(
    PROGRESS_BUDGETS.map((b) => () => withRefresh(renderProgress(view, opts, b), job, opts)),
    opts,
  );
}

/**
 * Universal Actions `refresh`: Teams asks the bot for the current card when someone opens the chat, so a card
 * missed by a throttled update (or updated while the chat was closed) is current when looked at. Progress and
 * report only: refreshing the blocker wizard or an approval would throw away what someone is typing into it.
 * Without `userIds` Teams refreshes automatically in personal chats, where jobs are started.
 */
export function withRefresh(c: AdaptiveCard, job: Job, opts: RenderOptions): AdaptiveCard {
  const data = signCardData(opts.key, 'job.refresh', jobRef(job, opts.cid));
  return { ...c, refresh: { action: { type: 'Action.Execute', verb: 'job.refresh', data } } } as AdaptiveCard;
}

/** The richest rendering that stays under the size limit (Teams refuses cards over 28 KB), else the leanest. */
function firstThatFits(renderings: (() => AdaptiveCard)[], opts: RenderOptions): AdaptiveCard {
  let last: AdaptiveCard | undefined;
  for (const render of renderings) {
    last = render();
    if (cardBytes(last) <= opts.maxBytes) return last;
  }
  if (!last) throw new Error('no rendering');
  return last;
}

function renderApproval(job: Job, opts: RenderOptions): AdaptiveCard {
  const ref = jobRef(job, opts.cid);
  return card(
    [
      heading(`🔐 Approval needed: ${jobTitle(job)}`),
      text(
        `${jobLabel(job)} is a production ${job.target.kind}. A second person with the **approver** role must approve before the job starts.`,
      ),
      ...(opts.notice ? [text(opts.notice, { isSubtle: true })] : []),
      jobFacts(job),
      { type: 'Input.Text', id: 'in_comment', placeholder: 'Comment (optional)', maxLength: 300 },
    ],
    [
      action('Approve', 'job.approve', signCardData(opts.key, 'job.approve', ref), 'positive'),
      action('Reject', 'job.reject', signCardData(opts.key, 'job.reject', ref), 'destructive'),
    ],
  );
}
