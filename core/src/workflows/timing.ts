/**
 * Task timeouts and heartbeats, in seconds of real time (the local engine multiplies them by the lab's time
 * scale). A heartbeat comes with every progress message the agent sends (every few seconds while it works), so
 * HEARTBEAT is how long silence means the agent or its device is gone. It also covers the wait in the device's
 * FIFO queue before the agent picks the command up (the clock starts when the task does), hence 30 minutes (a busy single-process local stack also delays the messages that carry heartbeats).
 */
export const HEARTBEAT = 1800;

export const TIMEOUT = {
  /** Reads (state, LC status, verify): also the backstop for a lost result; real network time, so generous. */
  quick: 1800,
  inventory: 3600,
  stage: 3600,
  scp: 1800,
  vmPower: 1800,
  /** The command's own timeout is enterMaintenanceSeconds (default 1800); this is the backstop. */
  enterMaintenance: 2400,
  applyAndReboot: 5400,
  exitMaintenance: 1800,
  ha: 1800,
  scan: 1800,
  /** A ZFS snapshot, list or prune over SSH. */
  zfs: 1800,
  /** One send | receive: the backstop only, progress (bytes) comes every few seconds while data flows. */
  replicate: 6 * 3600,
  /**
   * A host's begin waiting to be woken (its window, the appliance's turn): only the backstop for a lost
   * wake-up, after which it simply looks again (retried).
   */
  beginWait: 900,
  /** How long a paused job waits for an operator before giving up (and cleaning up). 7 days. */
  pause: 7 * 24 * 3600,
} as const;
