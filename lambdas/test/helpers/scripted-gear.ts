import type { HaSettings } from '@rackops/core/inventory/inventory.schema';
import type { Job } from '@rackops/core/jobs/job.schema';
import { refuseUnsent } from '@rackops/core/jobs/stop-reason';
import type { JobItemStore } from '@rackops/core/ports/job-item-store.port';
import { FromPlan, paramsFromPlan } from '@rackops/core/workflows/ops/host-plan.op';

/**
 * A scripted datacenter for ASL-level tests of the workflows: answers each device step the way the relay agent
 * would (same output shapes), keeps the little state the workflows read back (firmware versions, maintenance
 * mode, HA settings, VM power), and records the order of commands. Real-gear behaviour is the lab's job; the
 * scenarios (local/src/scenarios) run the real relay agent against the lab.
 */
export interface GearHost {
  hostId: string;
  bios: string;
  inMaintenance: boolean;
  staged?: string;
  /** iDRAC firmware: applied at once by a `firmware.stage` with applyTime Immediate (no host reboot). */
  idrac: string;
  /** Its Immediate update job fails. */
  idracUpdateFails?: boolean;
  reachable: boolean;
  /** Never comes back after the reboot (reboot-failure). */
  rebootHangs?: boolean;
  /** The reboot does not apply the staged BIOS (verification fails). */
  stagedIgnored?: boolean;
  /** iDRAC job ids left over from earlier work (the preflight's Lifecycle Controller read shows them). */
  staleJobs?: string[];
}

export interface Sent {
  kind: string;
  target: { type: string; id: string };
  params: Record<string, unknown>;
  at: number;
}

const LC_READY = { ready: true, status: 'Ready', staleJobs: [] };

export class ScriptedGear {
  readonly hosts = new Map<string, GearHost>();
  readonly sent: Sent[] = [];
  readonly vmPower = new Map<string, 'on' | 'off'>();
  ha: HaSettings = {
    haEnabled: true,
    admissionControlEnabled: true,
    failoverLevel: 1,
    policy: 'failoverLevel',
  };
  maxInMaintenance = 0;
  /**
   * More reboot-required components every host reports, at the BIOS's version (so they update with it): a host
   * with a dozen packages to stage and verify, as a real server has.
   */
  extraComponents: { softwareId: string; name: string }[] = [];
  /** The job as stored now: the dispatch's checks before a send (stop points, verification) need it. */
  jobs?: (jobId: string) => Promise<Job | undefined>;
  /** The job items a step's `fromPlan` params come from (the host's firmware plan), as the real dispatch reads them. */
  plans?: Pick<JobItemStore, 'getJobItem'>;
  /** Called before answering; lets a test act mid-run (cancel during batch 2...). */
  onCommand?: (s: Sent) => Promise<void> | void;

  constructor(
    hostIds: string[],
    private readonly answer: (token: string, ok: boolean, out: unknown) => Promise<void>,
  ) {
    for (const id of hostIds)
      this.hosts.set(id, {
        hostId: id,
        bios: '1.0.0',
        idrac: '6.0.0',
        inMaintenance: false,
        reachable: true,
      });
  }

  /** The dispatch function the engine calls for `${DispatchFunctionArn}`. */
  dispatch = async (payload: unknown): Promise<unknown> => {
    const p = payload as {
      jobId: string;
      command: Omit<Sent, 'at'>;
      taskToken: string;
      stopPoint?: boolean;
      verified?: boolean;
      fromPlan?: unknown;
    };
    // What the real dispatch fills in and refuses before sending, done here alike.
    const command = { ...p.command };
    if (p.fromPlan !== undefined) {
      if (!this.plans) throw new Error('a step takes params from the plan: set gear.plans');
      command.params = await paramsFromPlan(this.plans, p.jobId, FromPlan.parse(p.fromPlan), command.params);
    }
    const job = await this.jobs?.(p.jobId);
    refuseUnsent(job ?? { updatedAt: '' }, p);
    const s: Sent = { ...command, at: Date.now() };
    this.sent.push(s);
    // Answer asynchronously, like the agent via the results queue.
    setTimeout(() => {
      void (async () => {
        await this.onCommand?.(s);
        const r = this.run(s);
        if (r === 'hang') return;
        await this.answer(p.taskToken, r.ok, r.ok ? r.out : r.error);
      })();
    }, 2);
    return { commandId: `c${this.sent.length}` };
  };

  private host(id: string): GearHost {
    const h = this.hosts.get(id);
    if (!h) throw new Error(`no host ${id}`);
    return h;
  }

  private hostState(hostId: string) {
    const h = this.host(hostId);
    return {
      hostId,
      idracReachable: h.reachable,
      powerState: h.reachable ? 'On' : 'Off',
      connectionState: h.reachable ? 'connected' : 'notResponding',
      inMaintenanceMode: h.inMaintenance,
    };
  }

  private inventory(hostId: string) {
    const h = this.host(hostId);
    return {
      server: {
        serviceTag: hostId,
        model: 'PowerEdge R750',
        systemId: 2318,
        idracId: hostId,
        source: 'idrac',
      },
      firmware: [
        {
          id: `Installed-159-${h.bios}__BIOS.Setup.1-1`,
          name: 'BIOS',
          version: h.bios,
          softwareId: '159',
          fqdd: 'BIOS.Setup.1-1',
          updateable: true,
        },
        {
          id: `Installed-25227-${h.idrac}__iDRAC.Embedded.1-1`,
          name: 'Integrated Dell Remote Access Controller',
          version: h.idrac,
          softwareId: '25227',
          fqdd: 'iDRAC.Embedded.1-1',
          updateable: true,
        },
        ...this.extraComponents.map((c, i) => ({
          id: `Installed-${c.softwareId}-${h.bios}__Extra.${i}`,
          name: c.name,
          version: h.bios,
          softwareId: c.softwareId,
          fqdd: `Extra.Component.${i}`,
          updateable: true,
        })),
      ],
      warnings: [],
    };
  }

  private lc(hostId: string) {
    const stale = this.host(hostId).staleJobs ?? [];
    return { ...LC_READY, staleJobs: stale.map((id) => ({ id, state: 'Scheduled' })) };
  }

  private run(
    s: Sent,
  ): { ok: true; out: unknown } | { ok: false; error: { code: string; message: string } } | 'hang' {
    const hostId = (s.params.hostId as string | undefined) ?? s.target.id;
    switch (s.kind) {
      case 'host.state':
        return { ok: true, out: this.hostState(hostId) };
      case 'idrac.lc-status':
        return { ok: true, out: this.lc(hostId) };
      case 'inventory.idrac':
        return { ok: true, out: this.inventory(hostId) };
      case 'host.preflight':
        return {
          ok: true,
          out: { hostState: this.hostState(hostId), lc: this.lc(hostId), fw: this.inventory(hostId) },
        };
      case 'idrac.clear-stale-jobs': {
        const h = this.host(hostId);
        const cleared = h.staleJobs?.length ?? 0;
        h.staged = undefined;
        h.staleJobs = undefined;
        return { ok: true, out: { cleared } };
      }
      case 'firmware.stage': {
        const pkgs = s.params.packages as { version: string }[];
        if (s.params.applyTime === 'Immediate') {
          const h = this.host(hostId);
          if (h.idracUpdateFails)
            return { ok: false, error: { code: 'idrac_job_failed', message: `${hostId} JID_1 Failed` } };
          h.idrac = pkgs[0]?.version ?? h.idrac;
          return {
            ok: true,
            out: {
              jobs: [{ componentId: '25227', jobId: `JID_N_${hostId}`, state: 'Completed' }],
              alreadyDone: [],
            },
          };
        }
        this.host(hostId).staged = pkgs[0]?.version;
        return {
          ok: true,
          out: {
            jobs: [{ componentId: '159', jobId: `JID_${hostId}`, state: 'Scheduled' }],
            alreadyDone: [],
          },
        };
      }
      case 'scp.export':
        return { ok: true, out: { jobId: `JID_SCP_${hostId}`, bytes: 1000, sha256: 'a'.repeat(64) } };
      case 'vm.power':
        this.vmPower.set(s.params.vmMoref as string, s.params.state as 'on' | 'off');
        return {
          ok: true,
          out: { powerState: s.params.state === 'on' ? 'poweredOn' : 'poweredOff', changed: true },
        };
      case 'host.enter-maintenance': {
        this.host(hostId).inMaintenance = true;
        const n = [...this.hosts.values()].filter((h) => h.inMaintenance).length;
        this.maxInMaintenance = Math.max(this.maxInMaintenance, n);
        return { ok: true, out: { inMaintenanceMode: true, evacuatedVms: 3, alreadyInMaintenance: false } };
      }
      case 'host.apply-and-reboot': {
        const h = this.host(hostId);
        if (h.rebootHangs) {
          h.reachable = false;
          return {
            ok: false,
            error: { code: 'timeout', message: `${hostId} did not come back after the reboot` },
          };
        }
        if (h.staged && !h.stagedIgnored) h.bios = h.staged;
        h.staged = undefined;
        // The agent reads the firmware back and compares (the workflow sends what preflight expected).
        const exp = (s.params.expected ?? []) as { componentId: string; version: string }[];
        const mismatches = exp
          .filter((e) => e.version !== h.bios)
          .map((e) => ({ componentId: e.componentId, expected: e.version, installed: h.bios }));
        return {
          ok: true,
          out: {
            jobs: [],
            connectionState: 'connected',
            durationSeconds: 1,
            verify: { ok: mismatches.length === 0, mismatches },
          },
        };
      }
      case 'host.exit-maintenance':
        this.host(hostId).inMaintenance = false;
        return { ok: true, out: { inMaintenanceMode: false, alreadyOut: false } };
      case 'cluster.ha-relax': {
        const original = this.ha;
        this.ha = { ...this.ha, admissionControlEnabled: false };
        return { ok: true, out: { original, relaxed: this.ha, alreadyRelaxed: false } };
      }
      case 'cluster.ha-restore':
        this.ha = s.params.settings as HaSettings;
        return { ok: true, out: { restored: this.ha, alreadyRestored: false } };
      case 'cluster.scan-blockers':
        return { ok: true, out: { hosts: [] } };
      default:
        return { ok: true, out: {} };
    }
  }
}
