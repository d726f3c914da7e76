/** Per host: what was asked of its iDRAC that must happen at most once per update. */
export interface HostTally {
  /** Firmware packages received (SimpleUpdate or MultipartUpload that created a job), per package key. */
  uploads: Record<string, number>;
  /** Host reboots requested through Redfish (ComputerSystem.Reset with a restart or power cycle). */
  reboots: number;
}

/**
 * Counts uploads and reboot requests per host, so a test or scenario can check that work taken over by a
 * second relay agent (after the first one died) was not done twice. Read in process (`world.tallies`) or over
 * the control API (`GET /lab/tallies`).
 */
export class DeviceTallies {
  private readonly byHost = new Map<string, HostTally>();

  private of(hostId: string): HostTally {
    let t = this.byHost.get(hostId);
    if (!t) {
      t = { uploads: {}, reboots: 0 };
      this.byHost.set(hostId, t);
    }
    return t;
  }

  upload(hostId: string, packageKey: string): void {
    const t = this.of(hostId);
    t.uploads[packageKey] = (t.uploads[packageKey] ?? 0) + 1;
  }

  reboot(hostId: string): void {
    this.of(hostId).reboots++;
  }

  /** A copy: a host nothing was asked of reads as zero. */
  host(hostId: string): HostTally {
    const t = this.byHost.get(hostId);
    return { uploads: { ...t?.uploads }, reboots: t?.reboots ?? 0 };
  }

  all(): Record<string, HostTally> {
    return Object.fromEntries([...this.byHost.keys()].map((id) => [id, this.host(id)]));
  }
}
