import type { Clock } from '@rackops/core/ports/clock.port';
import { systemClock } from '@rackops/core/ports/clock.port';
import type { JobProgress } from '@rackops/core/ports/job-progress.port';
import type { Notifier } from '@rackops/core/ports/notifier.port';
import type { Orchestrator } from '@rackops/core/ports/orchestrator.port';
import type { Store } from '@rackops/core/ports/store.port';
import type { CatalogSource } from '@rackops/core/workflows/ops/ops-deps';
import { JobOpsRequest, runJobOp } from '@rackops/core/workflows/ops/run-op';
import { asValidationError, parseOrThrow } from '@rackops/core/util/zod-errors';
import { type Logger, pino } from 'pino';
import type { CatalogSource as CatalogLocation } from './inventory-catalog';
import { awsNotifications } from '../notifications/aws-notifier';
import type { Platform } from '../composition/platform';
import { lambdaEntry } from '../composition/lambda';

/**
 * The preflight's catalog, read fresh at every run from where it lives (a job may name its own URL through
 * `params.catalogUrl`; the pinned certificate / CA of the default location still applies).
 */
export function catalogFromLocation(location: CatalogLocation): CatalogSource {
  return {
    async load(job, only) {
      const url = typeof job.params.catalogUrl === 'string' ? job.params.catalogUrl : undefined;
      // The catalog reader (XML tokenizer, fetch with pinning) is a chunk of its own: only preflight reads it.
      const { loadCatalog } = await import('./inventory-catalog');
      const loaded = await loadCatalog(url && 'url' in location ? { ...location, url } : location, only);
      return { catalog: loaded.catalog, url: loaded.location };
    },
  };
}

export interface JobOpsDeps {
  store: Store;
  notifier: Notifier;
  /** Told after every op that succeeded: the job's card follows its steps (throttled per job). */
  progress?: JobProgress;
  clock?: Clock;
  /** The Dell catalog, read when preflight runs. Without it a firmware job fails at preflight and says so. */
  catalog?: CatalogSource;
  /** Answers the begin tasks job-ops parks and wakes (core/src/workflows/ops/begin-waits.ts). */
  tasks?: Pick<Orchestrator, 'sendTaskSuccess' | 'sendTaskFailure'>;
  logger?: Logger;
}

/**
 * The workflows' bookkeeping Lambda: `{ op, jobId, state, ... }` from the ASL (core/src/workflows/asl.ts).
 * Steps, console lines, details, preflight verdicts, the plan, pauses (token stored for the resume use-case),
 * cancel checks, HA settings saved/restored and the final report. All logic lives in core/src/workflows/ops;
 * this only validates the request and logs. Errors are thrown so the Task fails and the ASL's Catch routes to
 * cleanup; their `name` becomes the ASL Error (e.g. `JobCancelled`).
 */
export function createJobOpsHandler(deps: JobOpsDeps) {
  const log = deps.logger ?? pino({ level: 'silent' });
  const opsDeps = {
    store: deps.store,
    notifier: deps.notifier,
    clock: deps.clock ?? systemClock,
    catalog: deps.catalog,
    tasks: deps.tasks,
  };
  return async (event: unknown): Promise<unknown> => {
    const req = parseOrThrow(JobOpsRequest, event, 'job-ops request');
    const started = Date.now();
    try {
      const out = await runJobOp(opsDeps, req, (err) =>
        log.warn(
          { op: req.op, jobId: req.jobId, err: err instanceof Error ? err.message : String(err) },
          'job op: a write for the card failed (the op itself succeeded)',
        ),
      );
      await deps.progress?.changed(req.jobId);
      log.debug({ op: req.op, jobId: req.jobId, ms: Date.now() - started }, 'job op');
      return out;
    } catch (raw) {
      // A bad `state` fails deep inside an op's own schema: the ASL and the log see a ValidationError naming
      // the field, never a raw ZodError.
      const err = asValidationError(raw, `${req.op} state`);
      log.warn(
        { op: req.op, jobId: req.jobId, err: err instanceof Error ? err.message : String(err) },
        'job op failed',
      );
      throw err;
    }
  };
}

/** The job-ops function from the platform; without a catalog seam, preflight reads CATALOG_URL. */
export const jobOpsFromPlatform = (p: Platform) => {
  const catalog =
    p.catalog ?? (p.settings.CATALOG_URL ? catalogFromLocation({ url: p.settings.CATALOG_URL }) : undefined);
  return createJobOpsHandler({
    store: p.store,
    notifier: p.notifier,
    ...(p.progress ? { progress: p.progress } : {}),
    clock: p.clock,
    ...(catalog ? { catalog } : {}),
    // Looked up per call: the local stack's Step Functions endpoint exists only once its API listens.
    tasks: {
      sendTaskSuccess: (token, output) => p.taskAnswers.sendTaskSuccess(token, output),
      sendTaskFailure: (token, error, cause) => p.taskAnswers.sendTaskFailure(token, error, cause),
    },
    logger: p.logger.child({ fn: 'job-ops' }),
  });
};

/**
 * AWS entry point. Notifications go through the notification pipeline (conversation via the Bot Connector with the
 * bot secret's credentials, Teams channel webhook, SES), as locally; after each op the job's card is updated in
 * place (throttled per job across containers, see LiveCards).
 */
export default lambdaEntry(jobOpsFromPlatform, { notifications: awsNotifications });
