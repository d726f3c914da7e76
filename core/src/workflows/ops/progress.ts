import type { StepRef } from '../../jobs/job-step';
import type { JobStep, LogLine } from '../../jobs/job.schema';
import { HostItem } from './state.schema';
import type { OpsDeps } from './ops-deps';

/** Display order of the top-level steps; host steps sort after their batch. */
const ORDER: Record<string, number> = {
  preflight: 10,
  plan: 20,
  'ha-relax': 30,
  'blocker-scan': 40,
  resolution: 50,
  stage: 60,
  cleanup: 900,
  report: 990,
};
export const stepOrder = (key: string, batchIndex?: number): number =>
  ORDER[key] ?? (batchIndex === undefined ? 500 : 100 + batchIndex * 10 + (key.startsWith('host:') ? 1 : 0));

type StepStatus = JobStep['status'];

/**
 * Write one step item. A running step starts now; any other status keeps the start the Store has (the step
 * starts now if it never ran), so a completion needs no read.
 */
export async function putStep(
  deps: OpsDeps,
  jobId: string,
  s: StepRef & { status: StepStatus; message?: string; data?: Record<string, unknown> },
): Promise<void> {
  const now = deps.clock.now().toISOString();
  await deps.store.putStep({
    jobId,
    key: s.key,
    name: s.name,
    order: stepOrder(s.key, s.batchIndex),
    status: s.status,
    ...(s.status === 'running' ? { startedAt: now } : {}),
    ...(s.status === 'running' || s.status === 'pending' ? {} : { completedAt: now }),
    ...(s.hostId ? { hostId: s.hostId } : {}),
    ...(s.message ? { message: s.message.slice(0, 2000) } : {}),
    ...(s.data ? { data: s.data } : {}),
  });
}

export async function log(
  deps: OpsDeps,
  jobId: string,
  level: LogLine['level'],
  message: string,
  hostId?: string,
): Promise<void> {
  await deps.store.appendLog({
    jobId,
    level,
    message: message.slice(0, 4000),
    ...(hostId ? { hostId } : {}),
  });
}

/** Merge bounded progress fields into job.details (the card reads them). */
export async function details(deps: OpsDeps, jobId: string, fields: Record<string, unknown>): Promise<void> {
  await deps.store.updateJob(jobId, { details: fields });
}

export async function getHost(deps: OpsDeps, jobId: string, hostId: string): Promise<HostItem | undefined> {
  const raw = await deps.store.getJobItem<unknown>(jobId, 'host', hostId);
  return raw === undefined ? undefined : HostItem.parse(raw);
}

export async function putHost(deps: OpsDeps, jobId: string, item: HostItem): Promise<void> {
  // JSON round trip: drops undefined fields, which DynamoDB marshalling would refuse.
  await deps.store.putJobItem(jobId, 'host', item.hostId, JSON.parse(JSON.stringify(item)) as HostItem);
}

export async function listHosts(deps: OpsDeps, jobId: string): Promise<HostItem[]> {
  const items = await deps.store.listJobItems<unknown>(jobId, 'host');
  return items.map((i) => HostItem.parse(i.data));
}

/** Text of a Catch'ed error, without Lambda's JSON wrapping. */
export function errorText(e: { Error?: string; Cause?: string } | undefined): string {
  if (!e) return 'unknown error';
  let cause = e.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') cause = parsed.errorMessage;
  } catch {
    // not JSON: keep as is
  }
  return [e.Error, cause].filter(Boolean).join(': ').slice(0, 1000);
}
