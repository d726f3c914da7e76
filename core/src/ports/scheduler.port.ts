/** EventBridge Scheduler in AWS; a timer over the same records locally. */
export interface Scheduler {
  /** One-shot schedule; creating the same name twice replaces it. */
  scheduleAt(req: { name: string; at: string; target: ScheduleTarget }): Promise<void>;
  /** Recurring schedule (e.g. inventory sync every N minutes). */
  scheduleEvery(req: { name: string; everyMinutes: number; target: ScheduleTarget }): Promise<void>;
  cancel(name: string): Promise<void>;
  /** Names of the schedules held now that start with `prefix` (reconcile finds orphans with it). */
  names?(prefix: string): Promise<string[]>;
}

export type ScheduleTarget =
  | { kind: 'job'; jobId: string }
  /**
   * `start`: the occurrence the schedule was armed for (UTC ISO); without it, the one running at delivery.
   * `postponedTo`: armed again at that time because the occurrence was postponed.
   */
  | { kind: 'window'; windowId: string; start?: string; postponedTo?: string }
  /** The occurrence starting at `start` ends: its jobs get the `window_end` stop reason. */
  | { kind: 'window-end'; windowId: string; start: string }
  /** A reminder `lead` before the occurrence starting at `start`. */
  | { kind: 'window-reminder'; windowId: string; start: string; lead: '24h' | '1h' }
  | { kind: 'inventory-sync'; source: 'ome' | 'vcenter'; sourceId: string }
  /** A protection group's sync tick: checks the RPO, then starts a `replication_sync` unless one runs. */
  | { kind: 'replication'; group: string };
