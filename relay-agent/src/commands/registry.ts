import type { DeviceRegistry } from '../devices/device-registry';
import type { Outbound } from '../net/outbound';
import { createApplyAndRebootHandler } from './apply-and-reboot.handler';
import { createClearStaleJobsHandler } from './clear-stale-jobs.handler';
import { createZfsPreflightHandler } from './zfs-preflight.handler';
import type { HandlerRegistry } from './command-context';
import { createDatastoreMountHandler, createDatastoreUnmountHandler } from './datastore-nfs.handlers';
import { createEnterMaintenanceHandler } from './enter-maintenance.handler';
import { createExitMaintenanceHandler } from './exit-maintenance.handler';
import { createHaRelaxHandler } from './ha-relax.handler';
import { createHaRestoreHandler } from './ha-restore.handler';
import { createHostPowerHandler } from './host-power.handler';
import { createHostPreflightHandler } from './host-preflight.handler';
import { createHostStateHandler } from './host-state.handler';
import { createInventoryHealthHandler } from './inventory-health.handler';
import { createInventoryIdracHandler } from './inventory-idrac.handler';
import { createInventoryOmeHandler } from './inventory-ome.handler';
import { createInventoryVcenterHandler } from './inventory-vcenter.handler';
import { createLcStatusHandler } from './lc-status.handler';
import { createMediaEjectHandler } from './media-eject.handler';
import { createMediaInsertHandler } from './media-insert.handler';
import { createScanBlockersHandler } from './scan-blockers.handler';
import type { BackupStore } from '../scp/backup-store';
import { createScpBackupsHandler, createScpDiffHandler } from './scp-backups.handler';
import { createScpExportHandler } from './scp-export.handler';
import { createScpImportHandler } from './scp-import.handler';
import { createStageFirmwareHandler, type PackageFetcher } from './stage-firmware.handler';
import { createVerifyFirmwareHandler } from './verify-firmware.handler';
import {
  createVmGuestShutdownHandler,
  createVmReconfigureNetworkHandler,
  createVmRegisterHandler,
  createVmToolsStatusHandler,
  createVmUnregisterHandler,
} from './vm-dr.handlers';
import { createVmPowerHandler } from './vm-power.handler';
import { createVmQuiesceSnapshotHandler, createVmRemoveSnapshotsHandler } from './vm-snapshots.handler';
import {
  createZfsFeaturesHandler,
  createZfsPruneHandler,
  createZfsReplicateHandler,
  createZfsSnapshotHandler,
} from './zfs-replication.handlers';
import type { ZfsAppliances } from '../zfs/zfs-appliance';
import {
  createZfsCloneHandler,
  createZfsDestroyCloneHandler,
  createZfsPromoteHandler,
  createZfsDemoteHandler,
  createZfsSourceReadonlyHandler,
} from './zfs-dr.handlers';

/** One convergent handler per CommandKind, each built from the clients it needs. */
export function createHandlers(deps: {
  devices: DeviceRegistry;
  fetchPackage: PackageFetcher;
  /** Where SCP backups are kept (scp/build-backup-store.ts). */
  backups: BackupStore;
  /** The outbound URL guard and the media logins (net/outbound.ts). */
  outbound: Outbound;
  /** ZFS appliances reached over SSH; without them the zfs.* commands are not handled. */
  zfs?: ZfsAppliances;
}): HandlerRegistry {
  const { devices } = deps;
  const store = deps.backups;
  return {
    'inventory.idrac': createInventoryIdracHandler(devices),
    'inventory.vcenter': createInventoryVcenterHandler(devices),
    'inventory.ome': createInventoryOmeHandler(devices),
    'inventory.health': createInventoryHealthHandler(devices),
    'host.state': createHostStateHandler(devices),
    'idrac.lc-status': createLcStatusHandler(devices),
    'host.preflight': createHostPreflightHandler(devices),
    'idrac.clear-stale-jobs': createClearStaleJobsHandler(devices),
    'firmware.stage': createStageFirmwareHandler({
      devices,
      fetchPackage: deps.fetchPackage,
      guard: deps.outbound.guard,
    }),
    'host.apply-and-reboot': createApplyAndRebootHandler(devices),
    'firmware.verify': createVerifyFirmwareHandler(devices),
    'host.enter-maintenance': createEnterMaintenanceHandler(devices),
    'host.exit-maintenance': createExitMaintenanceHandler(devices),
    'cluster.ha-relax': createHaRelaxHandler(devices),
    'cluster.ha-restore': createHaRestoreHandler(devices),
    'cluster.scan-blockers': createScanBlockersHandler(devices),
    'vm.power': createVmPowerHandler(devices),
    'vm.register': createVmRegisterHandler(devices),
    'vm.unregister': createVmUnregisterHandler(devices),
    'vm.reconfigure-network': createVmReconfigureNetworkHandler(devices),
    'vm.guest-shutdown': createVmGuestShutdownHandler(devices),
    'vm.tools-status': createVmToolsStatusHandler(devices),
    'datastore.mount-nfs': createDatastoreMountHandler(devices),
    'datastore.unmount-nfs': createDatastoreUnmountHandler(devices),
    'vm.quiesce-snapshot': createVmQuiesceSnapshotHandler(devices),
    'vm.remove-snapshots': createVmRemoveSnapshotsHandler(devices),
    'host.power': createHostPowerHandler(devices),
    'media.insert': createMediaInsertHandler(devices, deps.outbound),
    'media.eject': createMediaEjectHandler(devices),
    'scp.export': createScpExportHandler({ devices, store }),
    'scp.backups': createScpBackupsHandler(store),
    'scp.diff': createScpDiffHandler({ devices, store }),
    'scp.import': createScpImportHandler({ devices, store }),
    ...(deps.zfs
      ? {
          'zfs.features': createZfsFeaturesHandler(deps.zfs),
          'zfs.snapshot': createZfsSnapshotHandler(deps.zfs),
          'zfs.replicate': createZfsReplicateHandler(deps.zfs),
          'zfs.prune': createZfsPruneHandler(deps.zfs),
          'zfs.preflight': createZfsPreflightHandler(deps.zfs),
          'zfs.clone': createZfsCloneHandler(deps.zfs),
          'zfs.destroy-clone': createZfsDestroyCloneHandler(deps.zfs),
          'zfs.promote': createZfsPromoteHandler(deps.zfs),
          'zfs.demote': createZfsDemoteHandler(deps.zfs),
          'zfs.source-readonly': createZfsSourceReadonlyHandler(deps.zfs),
        }
      : {}),
  };
}
