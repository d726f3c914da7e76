/**
 * The firmware-update state machine, in two variants built from the same pieces:
 * - `rolling`: a whole cluster (DESIGN §7), with HA admission control relaxed and restored;
 * - `single-host`: one host (`firmware_update`); maintenance mode optional outside a cluster, HA untouched.
 * See README.md in this folder for the states and every exit path.
 */
export type HostUpdateVariant = 'rolling' | 'single-host';
