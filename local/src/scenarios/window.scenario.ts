import type { Job } from '@rackops/core/jobs/job.schema';
import { windowEndScheduleName, windowScheduleName } from '@rackops/core/windows/window-firing';
import { createWindowStore } from '@rackops/core/windows/window-store';
import type { Occurrence } from '@rackops/core/windows/window.schema';
import { type DrivenClock, createDrivenClock } from '../scheduler/driven-clock';
import { SCHEDULE_RECORD_TYPE, ScheduleRecord } from '../scheduler/local-scheduler';
import { APPROVER, type ScenarioDriver, startScenario } from './driver';
import { haOf, inMaintenance, labOf, poweredOnVms, relayCommands, sleep } from './lab-facts';
import { labWindow } from './labs';

export const WINDOW_CLUSTER = 'lab-w';
const ENDED = ['completed', 'partial', 'failed', 'skipped', 'cancelled'];

/** The window scenario's stack: lab-w (3 outdated hosts, k = 1), production, and a scheduler clock it drives. */
export async function startWindowScenario(): Promise<{ d: ScenarioDriver; clock: DrivenClock }> {
  const clock = createDrivenClock();
  const d = await startScenario({
    lab: labWindow(),
    schedulerClock: clock,
    botConfig: {
      roles: { viewer: [], operator: ['aad-oper'], approver: ['aad-appr'], admin: [] },
      cardSecret: 'scenario-card-secret-0123456789abcdef',
      progressMinIntervalMs: 200,
      productionClusters: [WINDOW_CLUSTER],
    },
  });
  return { d, clock };
}

async function poll<T>(what: string, ms: number, read: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

/** When the local scheduler will fire the schedule `name` (its stored record). */
async function dueAt(d: ScenarioDriver, name: string): Promise<string> {
  const rec = await d.stack.store.getRecord<unknown>(SCHEDULE_RECORD_TYPE, name);
  if (!rec) throw new Error(`no schedule ${name}`);
  return ScheduleRecord.parse(rec.data).next;
}

/**
 * Create a daily window on lab-w through the bot (its 02:00-like start twelve hours from now, so real time never
 * reaches it during a run) and have a second person approve it. Returns its id and both replies.
 */
export async function createApprovedWindow(d: ScenarioDriver): Promise<{ id: string; approvedBy?: string }> {
  const hour = (new Date().getUTCHours() + 12) % 24;
  const hhmm = `${String(hour).padStart(2, '0')}:00`;
  const created = (
    await d.say(`window create ${WINDOW_CLUSTER} cron "0 ${hour} * * *" UTC for 4h policy skip_host`)
  ).join('\n');
  const id = /Window `([^`]+)` created/.exec(created)?.[1];
  if (!id) throw new Error(`window not created (${hhmm}): ${created.slice(0, 300)}`);
  const approved = (await d.say(`window approve ${id}`, APPROVER)).join('\n');
  const approvedBy = /approved by ([^.]+)/.exec(approved)?.[1];
  return { id, ...(approvedBy ? { approvedBy } : {}) };
}

/** Move the scheduler's clock to the series' next occurrence; returns that occurrence once it runs (or ended). */
export async function fireNextOccurrence(
  d: ScenarioDriver,
  clock: DrivenClock,
  windowId: string,
): Promise<Occurrence> {
  const at = await dueAt(d, windowScheduleName(windowId));
  clock.advanceTo(at);
  const windows = createWindowStore(d.stack.store);
  return poll(`occurrence ${at} of ${windowId} to start`, 30_000, async () => {
    const o = await windows.getOccurrence(windowId, at);
    // Running is written before its jobs start: wait for the job ids (or an outcome).
    return o && ((o.value.status === 'running' && o.value.jobId) || ENDED.includes(o.value.status))
      ? o.value
      : undefined;
  });
}

/** Wait until the occurrence starting at `start` has ended (its jobs done, the outcome written). */
export function occurrenceEnded(d: ScenarioDriver, windowId: string, start: string, ms = 300_000) {
  const windows = createWindowStore(d.stack.store);
  return poll(`occurrence ${start} of ${windowId} to end`, ms, async () => {
    const o = await windows.getOccurrence(windowId, start);
    return o && ENDED.includes(o.value.status) ? o.value : undefined;
  });
}

export interface WindowEndFacts {
  occurrence: Occurrence;
  job: Job;
  /** The host whose step `during` ran when the window ended. */
  host: string;
  hostPhase: string | undefined;
  hostReason: string | undefined;
  hostsLeftInMaintenance: number;
  vmsBackOn: boolean;
  /** A reboot (firmware apply) was sent to that host. */
  flashSent: boolean;
  /** No host's update started after the window's end was recorded on the job. */
  noHostStartedAfterEnd: boolean;
}

/**
 * One occurrence of `windowId`: fired by moving the scheduler's clock to its start; while the first host runs
 * step `during`, the clock moves to the occurrence's end, so the end schedule fires then (no race with real
 * time: the end comes exactly there). Reads the outcome from the Store and the lab.
 */
export async function windowEndDuring(
  d: ScenarioDriver,
  clock: DrivenClock,
  windowId: string,
  during: 'enter-maintenance' | 'apply-and-reboot',
): Promise<WindowEndFacts> {
  const lab = labOf(d.stack);
  const vmsBefore = poweredOnVms(lab, WINDOW_CLUSTER);
  const running = await fireNextOccurrence(d, clock, windowId);
  const jobId = running.jobId;
  if (!jobId)
    throw new Error(`occurrence ${running.start} started no job: ${running.reason ?? running.status}`);
  const host = await poll(`a host of job ${jobId} to run ${during}`, 300_000, async () => {
    const steps = await d.stack.store.listSteps(jobId);
    return steps.find((s) => s.key.endsWith(`:${during}`) && s.status === 'running')?.hostId;
  });
  clock.advanceTo(await dueAt(d, windowEndScheduleName(windowId)));
  const occurrence = await occurrenceEnded(d, windowId, running.start);
  const job = await d.stack.store.getJob(jobId);
  if (!job) throw new Error(`job ${jobId} gone`);
  const item = await d.stack.store.getJobItem<{ phase?: string; reason?: string }>(jobId, 'host', host);
  const stoppedAt = job.stopReason ? Date.parse(job.stopReason.at) : Number.POSITIVE_INFINITY;
  const starts = (await d.stack.store.listSteps(jobId))
    .filter((s) => /^host:[^:]+$/.test(s.key) && s.startedAt)
    .map((s) => Date.parse(s.startedAt as string));
  const cmds = (await relayCommands(d.stack.store, jobId)).filter((c) => c.target?.id === host);
  return {
    occurrence,
    job,
    host,
    hostPhase: item?.phase,
    hostReason: item?.reason,
    hostsLeftInMaintenance: inMaintenance(lab, WINDOW_CLUSTER).length,
    vmsBackOn: JSON.stringify(poweredOnVms(lab, WINDOW_CLUSTER)) === JSON.stringify(vmsBefore),
    flashSent: cmds.some((c) => c.kind === 'host.apply-and-reboot'),
    noHostStartedAfterEnd: Boolean(job.stopReason) && starts.every((t) => t < stoppedAt),
  };
}

const updatedHosts = async (d: ScenarioDriver, jobId: string | undefined): Promise<string[]> =>
  jobId
    ? (await d.stack.store.listJobItems<{ hostId: string; phase: string }>(jobId, 'host'))
        .filter((h) => h.data.phase === 'updated')
        .map((h) => h.data.hostId)
    : [];

/**
 * Runbook: an operator creates a daily window on lab-w (three outdated hosts, one at a time) through the bot;
 * a second person approves it. The scenario drives the local scheduler's clock: it moves it to the first
 * occurrence's start, and to the occurrence's end while the first host is flashing, so the window ends
 * mid-rollout every run. That host finishes; the other two are not started and the occurrence ends `partial`
 * with them named. The clock then moves to the next day's occurrence, which updates exactly those two.
 */
export async function run() {
  const { d, clock } = await startWindowScenario();
  try {
    const lab = labOf(d.stack);
    const haBefore = haOf(lab, WINDOW_CLUSTER);
    const { id, approvedBy } = await createApprovedWindow(d);

    const first = await windowEndDuring(d, clock, id, 'apply-and-reboot');
    const secondRunning = await fireNextOccurrence(d, clock, id);
    const second = await occurrenceEnded(d, id, secondRunning.start);
    await d.say(`window cancel ${id}`);

    const left = first.occurrence.hostsLeft ?? [];
    const updated = [
      ...(await updatedHosts(d, first.occurrence.jobId)),
      ...(await updatedHosts(d, second.jobId)),
    ];
    const checks = {
      occurrences: 2,
      first: first.occurrence.status,
      second: second.status,
      hostsUpdatedOnce:
        new Set(updated).size === updated.length &&
        updated.length === 3 &&
        left.length === 2 &&
        [...left].sort().join() === [...(second.carriedHosts ?? [])].sort().join(),
      haAsBefore: JSON.stringify(haOf(lab, WINDOW_CLUSTER)) === JSON.stringify(haBefore),
      noHostStartedAfterEnd: first.noHostStartedAfterEnd,
    };
    return {
      ok:
        checks.first === 'partial' &&
        checks.second === 'completed' &&
        checks.hostsUpdatedOnce &&
        checks.haAsBefore &&
        checks.noHostStartedAfterEnd &&
        first.hostPhase === 'updated',
      ...checks,
      hostMidFlashAtEnd: `${first.host} ${first.hostPhase}`,
      hostsLeftByFirst: left,
      hostsLeftInMaintenance: first.hostsLeftInMaintenance,
      approvedBy,
    };
  } finally {
    await d.close();
  }
}
