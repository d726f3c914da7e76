import type { LoopbackSshd } from '@rackops/lab/zfs/loopback-sshd';

/** The in-process agent's `zfs.sites` entry for an appliance behind a lab sshd: its key, its host key pinned. */
export const zfsSiteOf = (s: LoopbackSshd) => ({
  host: s.host,
  port: s.port,
  user: s.username,
  keyFile: s.clientKeyPath,
  hostKeyFingerprint: s.hostKeyFingerprint,
});
