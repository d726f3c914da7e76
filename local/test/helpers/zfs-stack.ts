import type { Job } from '@rackops/core/jobs/job.schema';
import { systemClock } from '@rackops/core/ports/clock.port';
import type { Notifier } from '@rackops/core/ports/notifier.port';
import type { UseCaseDeps } from '@rackops/core/usecases/deps';
import type { LocalStack } from '../../src/stack';

/** The use cases' deps over a running local stack, as the chat's handlers get them. */
export const useCaseDepsOf = (
  stack: LocalStack,
  notifier: Notifier = { notify: async () => {} },
): UseCaseDeps => ({
  store: stack.store,
  orchestrator: stack.orchestrator,
  scheduler: stack.scheduler,
  notifier,
  clock: systemClock,
  startJob: stack.startJob,
});

/** The job once its status is one of `statuses`; throws, naming the status it is in, after `ms`. */
export async function waitForJob(
  stack: LocalStack,
  jobId: string,
  statuses: string[],
  ms: number,
): Promise<Job> {
  const deadline = Date.now() + ms;
  for (;;) {
    const job = await stack.store.getJob(jobId);
    if (job && statuses.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} is ${job?.status}; gave up waiting`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
