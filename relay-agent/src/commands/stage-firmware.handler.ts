import { createHash } from 'node:crypto';
import type { FirmwarePackage } from '@rackops/core/relay/commands';
import type { DeviceRegistry } from '../devices/device-registry';
import { DeviceHttpError, DeviceOperationError } from '../http/errors';
import { isOpenJob, jobPhase } from '../redfish/job-state';
import { toFirmwareComponent } from '../redfish/firmware-map';
import type { RedfishClient } from '../redfish/redfish-client';
import type { DellJob } from '../redfish/redfish.schemas';
import type { UrlGuard } from '../net/url-guard';
import type { CommandContext, CommandHandler } from './command-context';
import { waitForJobs } from './wait-jobs';

export type PackageFetcher = (url: string, signal: AbortSignal) => Promise<Buffer>;

/**
 * firmware.stage — converges per package:
 * - the component already runs the target version → nothing to do (`alreadyDone`);
 * - the ledger remembers a job id for this command and package, and the job has not failed → monitor it;
 * - the iDRAC already has an open update job for this package (a previous command, or we died between
 *   the upload and writing the job id) → adopt it, matched by component name;
 * - otherwise upload once (SimpleUpdate, or multipart push) with OperationApplyTime OnReset, record
 *   the job id in the ledger immediately, then wait until the job is staged (downloaded, waiting for reboot).
 */
export function createStageFirmwareHandler(deps: {
  devices: DeviceRegistry;
  fetchPackage: PackageFetcher;
  /** Every package URL passes it before anything is fetched or sent to the iDRAC. */
  guard: UrlGuard;
  stageTimeoutMs?: number;
}): CommandHandler<'firmware.stage'> {
  return async (params, ctx) => {
    for (const pkg of params.packages) await deps.guard.check(pkg.url, 'firmware');
    const rf = deps.devices.idrac(ctx.target.id);
    const installed = (await rf.firmwareInventory()).map(toFirmwareComponent);
    const openJobs = (await rf.jobs()).filter(isOpenJob);
    const claimed = new Set<string>();
    const jobs: { componentId: string; jobId: string }[] = [];
    const alreadyDone: string[] = [];

    for (const pkg of params.packages) {
      if (installed.some((c) => c.softwareId === pkg.componentId && c.version === pkg.version)) {
        alreadyDone.push(pkg.componentId);
        continue;
      }
      const known = await rememberedJob(rf, ctx, pkg);
      const adopt = known ?? adoptable(openJobs, pkg, claimed);
      if (adopt) {
        ctx.memo.set(`jid:${pkg.componentId}`, adopt);
        claimed.add(adopt);
        alreadyDone.push(pkg.componentId);
        jobs.push({ componentId: pkg.componentId, jobId: adopt });
        continue;
      }
      await ctx.progress(`staging ${pkg.name} ${pkg.version}`);
      let jid: string;
      try {
        jid =
          params.transfer === 'multipart'
            ? await rf.multipartUpdate(
                await fetchChecked(deps.fetchPackage, pkg, ctx.signal),
                fileName(pkg.url),
                params.applyTime,
              )
            : await rf.simpleUpdate(pkg.url, params.applyTime);
      } catch (err) {
        // 409: a job for this package is already scheduled — take it over instead of failing.
        const again =
          err instanceof DeviceHttpError && err.status === 409
            ? adoptable((await rf.jobs()).filter(isOpenJob), pkg, claimed)
            : undefined;
        if (!again) throw err;
        jid = again;
      }
      ctx.memo.set(`jid:${pkg.componentId}`, jid);
      claimed.add(jid);
      jobs.push({ componentId: pkg.componentId, jobId: jid });
    }

    const until =
      params.applyTime === 'OnReset'
        ? (['awaiting-reboot', 'completed'] as const)
        : (['completed', 'awaiting-reboot'] as const);
    const transferSeen = new Set<string>();
    const final = await waitForJobs(
      rf,
      jobs.map((j) => j.jobId),
      until,
      ctx,
      {
        timeoutMs: deps.stageTimeoutMs ?? 3_600_000,
        label: 'staging firmware',
        // A job is created `Scheduled` before it downloads; staged means scheduled *after* the transfer. Not
        // seen transferring: staged once three polls over at least a full poll interval saw it scheduled (the
        // first polls come quickly, and a download may not have started yet).
        settle: (j, polls, seenForMs) => {
          if (/download/i.test(j.JobState)) transferSeen.add(j.Id);
          return (
            jobPhase(j) === 'completed' ||
            transferSeen.has(j.Id) ||
            (polls >= 3 && seenForMs >= ctx.pollIntervalMs)
          );
        },
      },
    );
    const state = new Map(final.map((j) => [j.Id, j.JobState]));
    return {
      jobs: jobs.map((j) => ({ ...j, state: state.get(j.jobId) ?? 'unknown' })),
      alreadyDone,
    };
  };
}

async function rememberedJob(
  rf: RedfishClient,
  ctx: CommandContext,
  pkg: FirmwarePackage,
): Promise<string | undefined> {
  const jid = ctx.memo.get<string>(`jid:${pkg.componentId}`);
  if (!jid) return undefined;
  try {
    const job = await rf.job(jid);
    return jobPhase(job) === 'failed' ? undefined : jid;
  } catch (err) {
    if (err instanceof DeviceHttpError && err.status === 404) return undefined;
    throw err;
  }
}

/** An open firmware-update job whose name names this package's component. */
function adoptable(open: DellJob[], pkg: FirmwarePackage, claimed: Set<string>): string | undefined {
  const name = pkg.name.toLowerCase();
  const match = open.find((j) => {
    if (claimed.has(j.Id) || !/firmware update/i.test(j.Name ?? '')) return false;
    const component = (j.Name ?? '').replace(/^firmware update:\s*/i, '').toLowerCase();
    return component.length > 0 && (name.includes(component) || component.includes(name));
  });
  return match?.Id;
}

async function fetchChecked(
  fetch: PackageFetcher,
  pkg: FirmwarePackage,
  signal: AbortSignal,
): Promise<Buffer> {
  const buf = await fetch(pkg.url, signal);
  if (pkg.sha256) {
    const got = createHash('sha256').update(buf).digest('hex');
    if (got.toLowerCase() !== pkg.sha256.toLowerCase()) {
      throw new DeviceOperationError(
        'package_checksum',
        `${pkg.url}: SHA-256 ${got} does not match the catalog's ${pkg.sha256}`,
      );
    }
  }
  return buf;
}

const fileName = (url: string): string => new URL(url).pathname.split('/').pop() || 'package.exe';
