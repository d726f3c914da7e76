/**
 * Task timeouts and heartbeats, in seconds of real time (the local engine multiplies them by the lab's time
 * scale). A heartbeat comes with every progress message the agent sends (every few seconds while it works), so
 * HEARTBEAT is how long silence means the agent or its device is gone.
 */
export const HEARTBEAT = 300;

export const TIMEOUT = {
  quick: 300,
  inventory: 3600,
  stage: 3600,
  scp: 1800,
  vmPower: 900,
  /** The command's own timeout is enterMaintenanceSeconds (default 1800); this is the backstop. */
  enterMaintenance: 2400,
  applyAndReboot: 5400,
  exitMaintenance: 900,
  ha: 600,
  scan: 900,
  /** How long a paused job waits for an operator before giving up (and cleaning up). 7 days. */
  pause: 7 * 24 * 3600,
} as const;
