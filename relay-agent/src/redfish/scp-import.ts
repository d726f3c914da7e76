import type { ScpShutdownType } from '@rackops/core/relay/scp-commands';
import { type RedfishClient, jobIdFrom } from './redfish-client';

/**
 * Starts ImportSystemConfiguration with the profile inline (`ImportBuffer`); returns the JID. The action sits
 * next to ExportSystemConfiguration on every iDRAC generation, so its path comes from the discovered export path.
 */
export async function importScp(
  rf: RedfishClient,
  profile: string,
  shutdownType: ScpShutdownType,
): Promise<string> {
  const map = await rf.serviceMap();
  const action = map.exportScpAction.replace(/ExportSystemConfiguration$/, 'ImportSystemConfiguration');
  const res = await rf.post(action, {
    ImportBuffer: profile,
    ShareParameters: { Target: 'ALL' },
    ShutdownType: shutdownType,
    HostPowerState: 'On',
  });
  return jobIdFrom(rf.device, res.headers.location, res.body);
}
