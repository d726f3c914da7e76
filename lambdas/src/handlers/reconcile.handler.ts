import type { Scheduler } from '@rackops/core/ports/scheduler.port';
import type { Store } from '@rackops/core/ports/store.port';
import { ValidationError } from '@rackops/core/util/errors';
import { parseOrThrow } from '@rackops/core/util/zod-errors';
import { reconcileWindowSchedules } from '@rackops/core/windows/window-firing';
import type { Logger } from 'pino';
import { z } from 'zod';
import { InventoryScheduleConfig, setupInventorySchedules } from './inventory-schedule.handler';
import type { Platform } from '../composition/platform';
import { lambdaEntry } from '../composition/lambda';
import type { Settings } from '../composition/settings';

/** What the deployment should have beside its code: today the recurring inventory schedules. */
export const DeploymentConfig = z.object({ inventory: InventoryScheduleConfig.prefault({}) });
export type DeploymentConfig = z.infer<typeof DeploymentConfig>;

export interface Reconciled {
  /** Names of the recurring inventory schedules now in place (created or replaced). */
  inventorySchedules: string[];
  /** Maintenance windows whose next occurrence is armed, and `window-…` schedules deleted as orphans. */
  windows?: { armed: string[]; deleted: string[] };
}

/** What reconciling the windows needs: the stored windows, and the time now. */
export interface WindowReconcileDeps {
  store: Store;
  now: () => Date;
}

/**
 * Brings the schedules the deployment needs into being; creating one that exists replaces it, so running it
 * again changes nothing. The one function for both worlds: `npm start` runs it at boot (local/src/main.ts),
 * AWS runs it from a CloudFormation custom resource on every deploy and from a daily EventBridge rule (infra
 * stateless stack), so a schedule deleted by hand comes back within a day. With `windows`, every stored
 * maintenance window gets its schedule (one per series) and orphan `window-…` schedules go.
 */
export async function reconcileDeployment(
  scheduler: Scheduler,
  input: unknown,
  windows?: WindowReconcileDeps,
): Promise<Reconciled> {
  const cfg = parseOrThrow(DeploymentConfig, input, 'deployment config');
  const inventorySchedules = await setupInventorySchedules(scheduler, cfg.inventory);
  if (!windows) return { inventorySchedules };
  const existing = scheduler.names ? await scheduler.names('window-') : [];
  const done = await reconcileWindowSchedules({ ...windows, scheduler }, existing);
  return { inventorySchedules, windows: done };
}

/** `INVENTORY_SCHEDULES` (JSON `{everyMinutes, vcenters, omes}`, from the CDK context `rackops:inventorySchedules`). */
export function deploymentConfigFromEnv(settings: Pick<Settings, 'INVENTORY_SCHEDULES'>): DeploymentConfig {
  const raw = settings.INVENTORY_SCHEDULES;
  let inventory: unknown = {};
  if (raw) {
    try {
      inventory = JSON.parse(raw);
    } catch {
      throw new ValidationError('INVENTORY_SCHEDULES is not JSON');
    }
  }
  return parseOrThrow(DeploymentConfig, { inventory }, 'INVENTORY_SCHEDULES');
}

/** A CloudFormation custom resource request (only what we read). */
const CustomResourceEvent = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.url(),
  StackId: z.string().min(1),
  RequestId: z.string().min(1),
  LogicalResourceId: z.string().min(1),
  PhysicalResourceId: z.string().optional(),
});
/** The EventBridge scheduled rule's event. */
const ScheduledEvent = z.looseObject({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
});

/**
 * CloudFormation's response URL is a pre-signed S3 URL; nothing else receives our answer. Loopback is allowed
 * for the local endpoints the tests stand in with (a Lambda cannot reach its own loopback anyway).
 */
export function checkResponseUrl(url: string): URL {
  const u = new URL(url);
  const aws = u.protocol === 'https:' && /(^|\.)amazonaws\.com(\.cn)?$/.test(u.hostname);
  const loopback =
    (u.protocol === 'http:' || u.protocol === 'https:') && ['127.0.0.1', 'localhost'].includes(u.hostname);
  if (!aws && !loopback) throw new ValidationError(`refusing to answer CloudFormation at ${u.origin}`);
  return u;
}

export interface ReconcileHandlerDeps {
  scheduler: () => Scheduler;
  config: () => DeploymentConfig;
  /** The stored maintenance windows to arm schedules for. */
  windows?: () => WindowReconcileDeps;
  logger: Logger;
  /** HTTP PUT of the custom resource answer. @default fetch */
  put?: (url: URL, body: string) => Promise<number>;
}

const PHYSICAL_ID = 'rackops-reconcile';

export function createReconcileHandler(deps: ReconcileHandlerDeps) {
  const put =
    deps.put ??
    (async (url: URL, body: string) => {
      // S3 wants no content type on a pre-signed PUT that was signed without one.
      const res = await fetch(url, { method: 'PUT', body, headers: { 'content-type': '' } });
      return res.status;
    });
  return async (event: unknown): Promise<Reconciled | { answered: 'SUCCESS' | 'FAILED' }> => {
    const cfn = CustomResourceEvent.safeParse(event);
    if (cfn.success) {
      const req = cfn.data;
      const url = checkResponseUrl(req.ResponseURL);
      let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
      let reason = 'reconciled';
      let data: Record<string, string> = {};
      // Delete leaves the schedules: they point at a claim Lambda that goes with the stack anyway, and a
      // replacement of this resource must not remove what the new one just made.
      if (req.RequestType !== 'Delete') {
        try {
          const done = await reconcileDeployment(deps.scheduler(), deps.config(), deps.windows?.());
          data = {
            InventorySchedules: String(done.inventorySchedules.length),
            WindowSchedules: String(done.windows?.armed.length ?? 0),
          };
          deps.logger.info({ reconciled: done }, 'deployment reconciled');
        } catch (err) {
          // Answer FAILED (the deploy rolls back with the reason) instead of letting CloudFormation wait an hour.
          status = 'FAILED';
          reason = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
          deps.logger.error({ err }, 'deployment reconcile failed');
        }
      }
      const body = JSON.stringify({
        Status: status,
        Reason: reason,
        PhysicalResourceId: req.PhysicalResourceId ?? PHYSICAL_ID,
        StackId: req.StackId,
        RequestId: req.RequestId,
        LogicalResourceId: req.LogicalResourceId,
        Data: data,
      });
      const code = await put(url, body);
      if (code < 200 || code >= 300) throw new Error(`CloudFormation response PUT answered ${code}`);
      return { answered: status };
    }
    parseOrThrow(ScheduledEvent, event, 'reconcile event');
    const done = await reconcileDeployment(deps.scheduler(), deps.config(), deps.windows?.());
    deps.logger.info({ reconciled: done }, 'deployment reconciled (daily)');
    return done;
  };
}

export const reconcileFromPlatform = (p: Platform) =>
  createReconcileHandler({
    scheduler: () => p.scheduler,
    config: () => deploymentConfigFromEnv(p.settings),
    windows: () => ({ store: p.store, now: () => p.clock.now() }),
    logger: p.logger.child({ fn: 'reconcile' }),
  });

/**
 * AWS entry point. Env: INVENTORY_SCHEDULES, SCHEDULE_GROUP_NAME, CLAIM_FUNCTION_ARN, SCHEDULER_ROLE_ARN,
 * TABLE_NAME, SCHEDULES_DLQ_ARN (optional).
 */
export default lambdaEntry(reconcileFromPlatform);
