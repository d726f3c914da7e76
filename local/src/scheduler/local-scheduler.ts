import { type Clock, systemClock } from '@rackops/core/ports/clock.port';
import type { ScheduleTarget, Scheduler } from '@rackops/core/ports/scheduler.port';
import type { Store } from '@rackops/core/ports/store.port';
import { ValidationError } from '@rackops/core/util/errors';
import { type Logger, pino } from 'pino';
import { z } from 'zod';

export const SCHEDULE_RECORD_TYPE = 'schedule';

/** One schedule, as a Store record (type 'schedule', id = name, sortKey = next fire time: listable in order). */
export const ScheduleRecord = z.object({
  name: z.string(),
  target: z.custom<ScheduleTarget>((v) => typeof v === 'object' && v !== null && 'kind' in v),
  /** Next fire time (ISO). */
  next: z.string(),
  /** Recurring schedules only. */
  everyMinutes: z.number().positive().optional(),
  /** Failed attempts at the current fire time. */
  attempts: z.number().int().nonnegative().default(0),
});
export type ScheduleRecord = z.infer<typeof ScheduleRecord>;

export interface LocalSchedulerOptions {
  store: Store;
  /** What a schedule does when it fires (the stack passes the claim handler). */
  fire: (target: ScheduleTarget) => Promise<unknown>;
  clock?: Clock;
  logger?: Logger;
  /** How often due schedules are looked for. @default 250 */
  tickMs?: number;
  /** Multiplies recurring intervals (the lab's time scale), so "every 15 minutes" fits a demo. @default 1 */
  intervalScale?: number;
}

const MAX_ATTEMPTS = 5;
const RETRY_MS = 5_000;

export interface LocalScheduler extends Scheduler {
  /** Begin firing; schedules that came due while nothing ran (a restart) fire at the first tick. */
  start(): void;
  stop(): Promise<void>;
  /** Fire everything due now and wait for it (tests; also what each tick does). */
  tick(): Promise<void>;
}

/**
 * EventBridge Scheduler's behaviour over the same kind of records, driven by a timer: one-shot schedules fire
 * once and are deleted; recurring ones move their next time on. Records live in the Store, so a restart loses
 * nothing: overdue schedules fire at the first tick.
 */
export function createLocalScheduler(opts: LocalSchedulerOptions): LocalScheduler {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? pino({ level: 'silent' });
  const scale = opts.intervalScale ?? 1;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const save = (rec: ScheduleRecord) =>
    opts.store.putRecord<ScheduleRecord>({
      type: SCHEDULE_RECORD_TYPE,
      id: rec.name,
      sortKey: rec.next,
      data: rec,
    });

  async function fireOne(rec: ScheduleRecord): Promise<void> {
    const now = clock.now();
    try {
      await opts.fire(rec.target);
      log.info({ schedule: rec.name, target: rec.target }, 'schedule fired');
      if (rec.everyMinutes === undefined) {
        // A target may re-arm its own schedule while it fires (a window arms its next occurrence): keep that.
        const current = await opts.store.getRecord<ScheduleRecord>(SCHEDULE_RECORD_TYPE, rec.name);
        if (!current || current.data.next === rec.next)
          await opts.store.deleteRecord(SCHEDULE_RECORD_TYPE, rec.name);
        return;
      }
      // Missed ticks (the stack was down) fire once, not once per missed interval.
      const every = rec.everyMinutes * 60_000 * scale;
      let next = new Date(rec.next).getTime() + every;
      if (next <= now.getTime()) next = now.getTime() + every;
      await save({ ...rec, next: new Date(next).toISOString(), attempts: 0 });
    } catch (err) {
      const attempts = rec.attempts + 1;
      log.error({ err, schedule: rec.name, attempts }, 'schedule target failed');
      if (attempts >= MAX_ATTEMPTS && rec.everyMinutes === undefined) {
        await opts.store.deleteRecord(SCHEDULE_RECORD_TYPE, rec.name);
        return;
      }
      await save({ ...rec, attempts, next: new Date(now.getTime() + RETRY_MS).toISOString() });
    }
  }

  async function fireDue(): Promise<void> {
    const nowIso = clock.now().toISOString();
    let cursor: string | undefined;
    do {
      const page = await opts.store.listRecordsByType<unknown>(SCHEDULE_RECORD_TYPE, {
        limit: 100,
        cursor,
        sortKeyBefore: nowIso,
      });
      for (const item of page.items) {
        const rec = ScheduleRecord.safeParse(item.data);
        if (!rec.success) {
          log.error({ schedule: item.id }, 'malformed schedule record ignored');
          continue;
        }
        if (rec.data.next <= nowIso && !stopped) await fireOne(rec.data);
      }
      cursor = page.cursor;
    } while (cursor);
  }

  const tick = async (): Promise<void> => {
    // One pass at a time: a slow fire must not start a second pass that fires the same schedule again.
    running ??= fireDue()
      .catch((err: unknown) => log.error({ err }, 'scheduler tick failed'))
      .finally(() => {
        running = undefined;
      });
    await running;
  };

  return {
    async scheduleAt({ name, at, target }) {
      const when = new Date(at);
      if (Number.isNaN(when.getTime())) throw new ValidationError(`"${at}" is not a time`);
      await save({ name, target, next: when.toISOString(), attempts: 0 });
    },
    async scheduleEvery({ name, everyMinutes, target }) {
      if (!(everyMinutes > 0)) throw new ValidationError('a schedule interval must be positive');
      const next = new Date(clock.now().getTime() + everyMinutes * 60_000 * scale).toISOString();
      await save({ name, target, next, everyMinutes, attempts: 0 });
    },
    async cancel(name) {
      await opts.store.deleteRecord(SCHEDULE_RECORD_TYPE, name);
    },
    async names(prefix) {
      const out: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await opts.store.listRecordsByType<unknown>(SCHEDULE_RECORD_TYPE, {
          limit: 100,
          cursor,
        });
        for (const item of page.items) if (item.id.startsWith(prefix)) out.push(item.id);
        cursor = page.cursor;
      } while (cursor);
      return out;
    },
    start() {
      if (timer || stopped) return;
      timer = setInterval(() => void tick(), opts.tickMs ?? 250);
      void tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
    tick,
  };
}
