import { firmwareVerdict } from '@rackops/core/catalog/firmware-mismatches';
import type { DeviceRegistry } from '../devices/device-registry';
import { DeviceError, DeviceTimeoutError } from '../http/errors';
import { jobPhase } from '../redfish/job-state';
import type { RedfishClient } from '../redfish/redfish-client';
import type { DellJob } from '../redfish/redfish.schemas';
import { pollBackoff } from './poll-backoff';
import type { CommandContext, CommandHandler } from './command-context';
import { readIdracInventory } from './idrac-inventory';
import { toIdracJob } from './idrac-job';
import { type Plan, planFromDevices } from './apply-plan';
import { applyingLine } from './apply-progress-line';
import { hostRuntime, resolveHost } from './vsphere-host';

/**
 * host.apply-and-reboot — converges on "no staged job left and the host back in vCenter":
 * - the plan (which staged jobs, whether the reboot was already requested) lives in the ledger, so a
 *   resumed command never reboots twice; it continues waiting where it was;
 * - taken over from another agent (`ctx.takenOver`: its ledger, and the plan, died with it), the plan is read
 *   from the devices instead: update jobs already running, or the host gone from vCenter, mean the reboot was
 *   sent — it is watched, not repeated; with nothing left to apply, it waits for the host to be back;
 * - reboots only if staged jobs are pending (Scheduled / RebootPending / completed-reboot-pending);
 *   with none, it just reports the host's state;
 * - then waits: host unreachable (vCenter not connected, or the jobs start running) → jobs finished
 *   and iDRAC reachable → vCenter `connected`;
 * - with `expected`, reads the firmware back and answers `verify` (a mismatch is an answer, not an error:
 *   the workflow keeps such a host in maintenance mode and says why).
 */
export function createApplyAndRebootHandler(
  devices: DeviceRegistry,
): CommandHandler<'host.apply-and-reboot'> {
  return async (params, ctx) => {
    const started = Date.now();
    const deadline = started + params.timeoutSeconds * 1000;
    const rf = devices.idrac(params.hostId);
    const vcHost =
      params.vcenterId || ctx.target.type === 'vcenter'
        ? await resolveHost(devices, params, ctx.target)
        : undefined;

    const connection = async () =>
      vcHost ? (await hostRuntime(vcHost.vc, vcHost.host))['runtime.connectionState'] : undefined;

    let plan = ctx.memo.get<Plan>('plan');
    if (!plan) {
      const all = await rf.jobs();
      plan = ctx.takenOver
        ? planFromDevices(all, await connection().catch(() => 'notResponding'))
        : { jobs: all.filter((j) => jobPhase(j) === 'awaiting-reboot').map((j) => j.Id) };
      if (ctx.takenOver) ctx.log.warn({ plan }, 'apply-and-reboot taken over: plan read from the devices');
      ctx.memo.set('plan', plan);
    }
    const save = (p: Partial<Plan>) => {
      plan = { ...(plan as Plan), ...p };
      ctx.memo.set('plan', plan);
    };

    // With `expected`: the firmware read back once the host is up (ingested: the inventory shows the update).
    const verified = async () => {
      if (!params.expected) return {};
      const inv = await readIdracInventory(rf, params.hostId, ctx.commandId);
      await ctx.progress(`read ${inv.firmware.length} firmware components back`, {
        percent: 100,
        page: inv.page,
      });
      return { verify: firmwareVerdict(params.expected, inv.firmware) };
    };

    const left = () => deadline - Date.now();
    if (plan.jobs.length === 0) {
      // Taken over after the jobs ended: the host may still be booting; answer once it is back.
      let conn = await connection().catch(() => 'notResponding');
      const delay = pollBackoff(ctx.pollIntervalMs);
      while (ctx.takenOver && conn !== undefined && conn !== 'connected') {
        await tick(ctx, left, `waiting for vCenter to see the host connected (now ${conn})`, delay());
        conn = await connection().catch(() => 'notResponding');
      }
      return {
        jobs: [],
        connectionState: conn ?? 'unknown',
        durationSeconds: 0,
        ...(await verified()),
      };
    }

    if (!plan.rebootSent) {
      // Resumed after dying between "requested" and "sent": only re-send if nothing moved yet.
      const jobs = await readJobs(rf, plan.jobs);
      const untouched = jobs?.every((j) => jobPhase(j) === 'awaiting-reboot');
      if (!plan.rebootRequestedAt || untouched) {
        save({ rebootRequestedAt: ctx.now().toISOString() });
        await rf.resetSystem('GracefulRestart');
        // Recorded as sent at once (a crash after this never reboots again), then the news: the reboot does
        // not wait on a queue send.
        save({ rebootSent: true });
        await ctx.progress(`rebooting to apply ${plan.jobs.length} staged job(s)`);
      } else save({ rebootSent: true });
    }

    // 1. unreachable: the host drops out of vCenter, or the iDRAC starts running the jobs.
    while (!plan.sawDown) {
      const conn = await connection().catch(() => 'notResponding');
      const jobs = await readJobs(rf, plan.jobs);
      const moving = jobs?.some((j) => jobPhase(j) !== 'awaiting-reboot') ?? true;
      if ((conn !== undefined && conn !== 'connected') || moving) {
        save({ sawDown: true });
        break;
      }
      await tick(ctx, left, 'waiting for the host to go down');
    }
    // 2. reachable: all jobs terminal and the iDRAC answering.
    let final: DellJob[] | undefined;
    for (;;) {
      final = await readJobs(rf, plan.jobs);
      if (final?.every((j) => ['completed', 'failed'].includes(jobPhase(j)))) break;
      await tick(ctx, left, applyingLine(final));
    }
    // 3. vCenter connected again (seconds after the jobs end: look again soon).
    let conn = await connection().catch(() => 'notResponding');
    const delay = pollBackoff(ctx.pollIntervalMs);
    while (conn !== undefined && conn !== 'connected') {
      await tick(ctx, left, `waiting for vCenter to see the host connected (now ${conn})`, delay());
      conn = await connection().catch(() => 'notResponding');
    }
    const failed = final.filter((j) => jobPhase(j) === 'failed');
    if (failed.length > 0) {
      throw new DeviceError(
        'idrac_job_failed',
        `${failed.map((j) => `${j.Id}: ${j.Message ?? j.JobState}`).join('; ')}`,
        false,
      );
    }
    return {
      jobs: final.map(toIdracJob),
      ...(plan.rebootRequestedAt ? { rebootedAt: plan.rebootRequestedAt } : {}),
      connectionState: conn ?? 'unknown',
      durationSeconds: Math.round((Date.now() - started) / 1000),
      ...(await verified()),
    };
  };
}

/** Jobs, or undefined while the iDRAC does not answer (rebooting, resetting itself). */
async function readJobs(rf: RedfishClient, ids: string[]): Promise<DellJob[] | undefined> {
  try {
    const out: DellJob[] = [];
    for (const id of ids) out.push(await rf.job(id));
    return out;
  } catch (err) {
    if (err instanceof DeviceError && err.retryable) return undefined;
    throw err;
  }
}

async function tick(ctx: CommandContext, left: () => number, message: string, ms?: number): Promise<void> {
  if (left() <= 0) throw new DeviceTimeoutError(`apply-and-reboot (${message})`, 0);
  await ctx.progress(message);
  await ctx.sleep(ms);
}
