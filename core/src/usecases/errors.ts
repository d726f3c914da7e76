import { RackOpsError } from '../util/errors';

/** The same person may not request and approve a change to a production target. */
export class FourEyesError extends RackOpsError {
  constructor(jobId: string) {
    super('four_eyes', `job ${jobId} needs approval by a different person than the one who requested it`);
  }
}

/** Four-eyes cannot tell the approver from the requester: one of them was not tied to a single person. */
export class UnresolvedIdentityError extends RackOpsError {
  constructor(jobId: string) {
    super(
      'identity_unresolved',
      `job ${jobId} needs approval by a person RackOps can tell apart from the requester; list both under \`people\` in the bot config (every Teams id and AAD object id they use)`,
    );
  }
}

/** The caller acted on an old view of the job (a stale card, a repeated click). Nothing was changed. */
export class StaleJobError extends RackOpsError {
  constructor(
    readonly jobId: string,
    message: string,
  ) {
    super('stale', message);
  }
}

/** The job is not in a state where this operation makes sense. Nothing was changed. */
export class JobStateError extends RackOpsError {
  constructor(message: string) {
    super('job_state', message);
  }
}

/** The named target is not in the inventory, so we cannot know whether it is production: refuse. */
export class UnknownTargetError extends RackOpsError {
  constructor(kind: string, id: string, hint = 'run `inventory sync` first') {
    super('unknown_target', `${kind} ${id} is not in the inventory (${hint})`);
  }
}
