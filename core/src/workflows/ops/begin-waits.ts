import type { Job } from '../../jobs/job.schema';
import { ConflictError, RackOpsError } from '../../util/errors';
import type { OpsDeps } from './ops-deps';

/**
 * A host's begin step (host-begin, apply-now-begin) runs as a task-token task: its op answers at once when it
 * can decide (go → the task succeeds with `{ v: answer }`; pass → the task fails with PASS_OVER, which the
 * processor catches into its Succeed), or parks the token here and answers when an op that changes what it
 * waits for (a host's window ending, an in-service update releasing the host, a host not started) wakes it.
 * A Wait loop cost three state transitions and up to its interval of idle slot per look; this costs none.
 *
 * A waiter record is owned by one op at a time (`deciding`, taken with a conditional write); an op that finds
 * it taken sets `again`, so the owner looks once more before parking it: no wake-up is lost between a look and
 * the parking. A waiter lost anyway (an op that died mid-look) is re-asked by the task's timeout retry.
 */
export const PASS_OVER = 'PassOver';

export type BeginOp = 'host-begin' | 'apply-now-begin';
export interface BeginAnswer {
  go: boolean;
  wait: boolean;
  /**
   * Go, but by another way in: the task fails with this error name and the answer as JSON in its cause (the
   * processor catches it, parses the cause back into `$.begin.v`, and takes the detour — e.g. VMs to power off
   * first), so the common way in needs no Choice.
   */
  route?: string;
}
/** One look: the op's decision for the iteration state (which may write, e.g. the look count). */
export type Decide = (job: Job, state: unknown) => Promise<BeginAnswer>;

const WAITER_TYPE = 'begin-wait';
interface Waiter {
  op: BeginOp;
  hostId: string;
  token: string;
  state: unknown;
  status: 'waiting' | 'deciding';
  again?: boolean;
}
/** The engine no longer waits for the token (answered already, timed out, execution gone): nothing to do. */
const TOKEN_GONE = new Set(['TaskDoesNotExist', 'InvalidToken', 'TaskTimedOut']);

/** Answers a task token (success, or a failure by name); a token the engine dropped is nothing to do. */
export async function answerTask(
  deps: OpsDeps,
  token: string,
  a: { output: unknown } | { error: string; cause: string },
): Promise<void> {
  const tasks = deps.tasks;
  if (!tasks) throw new RackOpsError('no_task_answers', 'job-ops cannot answer task tokens here');
  try {
    if ('output' in a) await tasks.sendTaskSuccess(token, a.output);
    else await tasks.sendTaskFailure(token, a.error, a.cause);
  } catch (err) {
    if (!(err instanceof Error && TOKEN_GONE.has(err.name))) throw err;
  }
}

const answer = (deps: OpsDeps, token: string, a: BeginAnswer) =>
  answerTask(
    deps,
    token,
    !a.go
      ? { error: PASS_OVER, cause: 'passed over: nothing to do here now' }
      : a.route
        ? { error: a.route, cause: JSON.stringify(a) }
        : { output: { v: a } },
  );

const waiterId = (jobId: string, op: BeginOp, hostId: string) => `${jobId}/${op}/${hostId}`;

/** The first look of a begin task: answered now, or parked (and looked at once more, see above). */
export async function beginWithToken(
  deps: OpsDeps,
  job: Job,
  w: { op: BeginOp; hostId: string; token: string; state: unknown },
  decide: Decide,
): Promise<BeginAnswer> {
  const first = await decide(job, w.state);
  if (!first.wait) {
    await answer(deps, w.token, first);
    return first;
  }
  // Unconditional: a newer token of the same step (a retry, a resumed execution) replaces an older one.
  const id = waiterId(job.id, w.op, w.hostId);
  await deps.store.putRecord<Waiter>({
    type: WAITER_TYPE,
    id,
    parent: job.id,
    data: { ...w, status: 'deciding' },
  });
  await own(deps, job.id, id, w.token, decide);
  return first;
}

/**
 * Looks while owning the waiter (`deciding`: nobody else looks, others only set `again`) until it is answered
 * or parked. Returns whether it was answered.
 */
async function own(
  deps: OpsDeps,
  jobId: string,
  id: string,
  token: string,
  decide: Decide,
): Promise<boolean> {
  for (let look = 0; look < 20; look++) {
    const cur = await deps.store.getRecord<Waiter>(WAITER_TYPE, id);
    if (!cur || cur.data.token !== token) return false; // replaced by a newer token of the same step
    const job = await deps.store.getJob(jobId);
    if (!job) return false;
    const a = await decide(job, cur.data.state);
    if (!a.wait) {
      await deps.store.deleteRecord(WAITER_TYPE, id);
      await answer(deps, token, a);
      return true;
    }
    try {
      await deps.store.putRecord<Waiter>(
        { type: WAITER_TYPE, id, parent: jobId, data: { ...cur.data, status: 'waiting', again: false } },
        { ifVersion: cur.version },
      );
      return false;
    } catch (err) {
      // Somebody asked for another look (`again`) while this one ran.
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  return false;
}

/**
 * Something a waiting begin may wait for changed: every parked waiter of the job looks again (rounds until no
 * answer changes anything, since an answer — a host passed over — can itself free another waiter).
 */
export async function wakeWaiters(deps: OpsDeps, jobId: string, decide: Record<BeginOp, Decide>) {
  for (let round = 0; round < 8; round++) {
    const page = await deps.store.listRecordsByParent<Waiter>(WAITER_TYPE, jobId, { limit: 1000 });
    let answered = false;
    for (const rec of page.items) {
      if (!(await take(deps, jobId, rec))) continue;
      answered = (await own(deps, jobId, rec.id, rec.data.token, decide[rec.data.op])) || answered;
    }
    if (!answered) return;
  }
}

/** Takes a parked waiter (true), or asks its current owner for another look (false). */
async function take(
  deps: OpsDeps,
  jobId: string,
  rec: { id: string; version: number; data: Waiter },
): Promise<boolean> {
  let cur = rec;
  for (let attempt = 0; attempt < 5; attempt++) {
    const parked = cur.data.status === 'waiting';
    try {
      await deps.store.putRecord<Waiter>(
        {
          type: WAITER_TYPE,
          id: rec.id,
          parent: jobId,
          data: parked ? { ...cur.data, status: 'deciding' } : { ...cur.data, again: true },
        },
        { ifVersion: cur.version },
      );
      return parked;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const now = await deps.store.getRecord<Waiter>(WAITER_TYPE, rec.id);
      if (!now) return false;
      cur = now;
    }
  }
  return false;
}
