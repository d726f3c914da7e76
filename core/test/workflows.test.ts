import { describe, expect, it } from 'vitest';
import type { JobType } from '../src/jobs/job.schema';
import type { AslMachine, AslState } from '../src/workflows/asl';
import { buildWorkflowDefinitions, substituteDefinition } from '../src/workflows/index';
import { UnsupportedJobTypeError, workflowForJobType } from '../src/workflows/registry';

const defs = buildWorkflowDefinitions();

/** Every state of a machine, nested Map processors and Parallel branches included, with the machine it sits in. */
function allStates(m: AslMachine): { name: string; state: AslState; top: boolean }[] {
  const out: { name: string; state: AslState; top: boolean }[] = [];
  const visit = (mm: AslMachine, top: boolean) => {
    for (const [name, state] of Object.entries(mm.States)) {
      out.push({ name, state, top });
      if (state.ItemProcessor) visit(state.ItemProcessor as AslMachine, false);
      for (const b of (state.Branches as AslMachine[] | undefined) ?? []) visit(b, false);
    }
  };
  visit(m, true);
  return out;
}

describe('workflow definitions', () => {
  it.each(Object.entries(defs))('%s is JSONPath only, with unique state names', (_name, def) => {
    const json = JSON.stringify(def);
    expect(json).not.toMatch(/JSONata|"Assign"|"Arguments"|"Output"\s*:/);
    const names = allStates(def).map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(Object.entries(defs))(
    '%s: every device step has a timeout, and every top-level Task a Catch but Finish',
    (_n, def) => {
      for (const { name, state, top } of allStates(def)) {
        if (state.Type !== 'Task') continue;
        expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
        if (top && name !== 'Finish') expect(state.Catch, name).toBeDefined();
      }
    },
  );

  it('every top-level state after RelaxHa reaches Cleanup on error (HA is restored on every exit path)', () => {
    const def = defs['rolling-cluster-update'];
    const after = [
      'Prepare',
      'Blockers',
      'PauseForResolution',
      'ApplyResolution',
      'StageFirmware',
      'Rollout',
    ];
    for (const name of after) {
      const c = def.States[name]?.Catch as { ErrorEquals: string[]; Next: string }[];
      expect(c?.[0]?.ErrorEquals, name).toEqual(['States.ALL']);
      expect(c?.[0]?.Next, name).toBe('Cleanup');
    }
    // Cleanup always leads to Finish, whatever RestoreHa does.
    expect((def.States.RestoreHa!.Catch as { Next: string }[])[0]?.Next).toBe('Unstage');
    expect(def.States.Unstage?.Next).toBe('Finish');
  });

  it('backs up and stages every host before any host leaves service, then a window of batch size beside the in-service firmware', () => {
    const def = defs['rolling-cluster-update'];
    expect(def.States.StageFirmware?.Next).toBe('Rollout');
    // Backups beside the HA relax and the scan, before any firmware is staged.
    const [relax, scan, backup] = def.States.Prepare!.Branches as AslMachine[];
    expect([relax!.StartAt, scan!.StartAt, backup!.StartAt]).toEqual(['RelaxHa', 'ScanBlockers', 'Backup']);
    expect((backup!.States.Backup!.ItemProcessor as AslMachine).StartAt).toBe('ScpExport');
    expect(def.States.Prepare!.Next).toBe('Blockers');
    // Every host with firmware to stage, and only those (plan.stage): no Choice per host.
    expect(def.States.StageFirmware?.ItemsPath).toBe('$.plan.stage');
    const stage = def.States.StageFirmware?.ItemProcessor as AslMachine;
    // No state loads a host's firmware: the dispatch takes it from the job's 'plan' item (fromPlan), so the
    // state carries host refs only and each Map starts with its real first step.
    const fromPlan = (m: AslMachine, name: string) =>
      (m.States[name]!.Parameters as { Payload: { fromPlan?: unknown; command: { params: unknown } } })
        .Payload;
    expect(stage.StartAt).toBe('StageHost');
    expect(fromPlan(stage, 'StageHost')).toMatchObject({
      fromPlan: { 'hostId.$': '$.host.hostId', params: { packages: 'packages' } },
      command: { params: { applyTime: 'OnReset' } },
    });
    expect(fromPlan(stage, 'StageHost').command.params).not.toHaveProperty('packages.$');
    const [hostsBranch, nowBranch] = def.States.Rollout!.Branches as AslMachine[];
    // One Map over the hosts in plan order, at most batch size (≤ k) at once: no barrier between batches.
    const hosts = hostsBranch!.States.Hosts!;
    expect(hosts.ItemsPath).toBe('$.plan.hosts');
    expect(hosts.MaxConcurrencyPath).toBe('$.plan.batchSize');
    const host = hosts.ItemProcessor as AslMachine;
    expect(host.StartAt).toBe('HostBegin');
    // What the reboot verifies: the host's expected versions, from its plan.
    expect(fromPlan(host, 'ApplyAndReboot')).toMatchObject({
      fromPlan: { params: { expected: 'expected' } },
    });
    // Nothing leaves service before host-begin said go: a task-token task its op answers now or when woken
    // (appliance, claim); a host passed over ends in a Succeed. No Wait loop.
    const begins = (m: AslMachine, prefix: string, go: string, pass: string) => {
      const b = m.States[`${prefix}Begin`] as {
        Resource: string;
        Next: string;
        Catch: { ErrorEquals: string[]; Next: string }[];
        Retry: { ErrorEquals: string[] }[];
      };
      expect(b.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
      expect(b.Next).toBe(go);
      expect(b.Catch[0]).toMatchObject({ ErrorEquals: ['PassOver'], Next: pass });
      expect(m.States[pass]?.Type).toBe('Succeed');
      // A lost wake-up: the wait's timeout asks again.
      expect(b.Retry.some((r) => r.ErrorEquals.includes('States.Timeout'))).toBe(true);
      expect(Object.values(m.States).some((st) => st.Type === 'Wait')).toBe(false);
    };
    begins(host, 'Host', 'EnterMaintenance', 'HostNotStarted');
    // VMs the resolution powers off: a detour in (answer parsed back into $.begin) and one out, before HostDone
    // records the host; hosts without such VMs enter no power Map at all.
    const hostBegin = host.States.HostBegin as { Catch: { ErrorEquals: string[]; Next: string }[] };
    expect(hostBegin.Catch[1]).toMatchObject({ ErrorEquals: ['PowerOffVmsFirst'], Next: 'BeginWithVms' });
    expect(host.States.BeginWithVms).toMatchObject({
      Type: 'Pass',
      ResultPath: '$.begin',
      Next: 'PowerOffVms',
    });
    expect(host.States.PowerOffVms?.Next).toBe('EnterMaintenance');
    expect(host.States.ExitMaintenance?.Next).toBe('HostDone');
    const hostDone = host.States.HostDone as {
      Resource: string;
      Catch: { ErrorEquals: string[]; Next: string }[];
    };
    expect(hostDone.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(hostDone.Catch[0]).toMatchObject({ ErrorEquals: ['PowerOnVmsFirst'], Next: 'PowerOnVms' });
    expect(host.States.PowerOnVms).toMatchObject({ ResultPath: '$.vmsOn', Next: 'HostDone' });
    // Firmware without reboot: nothing is sent before apply-now-begin said go.
    const now = nowBranch!.States.ApplyNow!;
    expect(now.ItemsPath).toBe('$.plan.applyNow');
    const item = now.ItemProcessor as AslMachine;
    expect(item.StartAt).toBe('ApplyNowBegin');
    begins(item, 'ApplyNow', 'ApplyNowStage', 'ApplyNowPass');
    expect(fromPlan(item, 'ApplyNowStage')).toMatchObject({
      fromPlan: { params: { packages: 'immediate' } },
      command: { params: { applyTime: 'Immediate' } },
    });
  });

  it.each(['rolling-cluster-update', 'firmware-update'] as const)(
    '%s: an immediate cancel is checked after the VMs are off and in maintenance, before any flash',
    (name) => {
      const host = (defs[name].States.Rollout!.Branches as AslMachine[])[0]!.States.Hosts!
        .ItemProcessor as AslMachine;
      const s = host.States;
      // The stop points: entering maintenance (after the VMs are off) and the reboot (in maintenance). Their
      // dispatch sends nothing when the job has a stop reason; HostStopRequested puts the host back.
      expect(s.PowerOffVms?.Next).toBe(name === 'firmware-update' ? 'UseMaintenance' : 'EnterMaintenance');
      expect(s.EnterMaintenance?.Next).toBe('ApplyAndReboot');
      for (const [state, stop] of [
        ['EnterMaintenance', 'StopPowerOnVms'],
        ['ApplyAndReboot', name === 'firmware-update' ? 'StopExitNeeded' : 'StopExitMaintenance'],
      ] as const) {
        expect((s[state]!.Parameters as { Payload: { stopPoint?: boolean } }).Payload.stopPoint).toBe(true);
        const [first, rest] = s[state]!.Catch as { ErrorEquals: string[]; Next: string }[];
        expect(first).toMatchObject({ ErrorEquals: ['HostStopRequested'], Next: stop });
        expect(rest).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'HostProbe' });
      }
      // Nothing else is a stop point: the exits and VM power steps always run.
      for (const state of ['ExitMaintenance', 'StopExitMaintenance', 'HostProbe'])
        expect(JSON.stringify(s[state])).not.toContain('stopPoint');
      // Stopped: out of maintenance, VMs back on, recorded as not started.
      expect(s.StopExitMaintenance?.Next).toBe('StopPowerOnVms');
      expect(s.StopPowerOnVms?.Next).toBe('HostStopped');
      expect(JSON.stringify(s.HostStopped?.Parameters)).toContain('"op":"host-stopped"');
    },
  );

  it.each(['rolling-cluster-update', 'firmware-update'] as const)(
    '%s: a host whose firmware did not verify after the reboot is never put back in service',
    (name) => {
      const host = (defs[name].States.Rollout!.Branches as AslMachine[])[0]!.States.Hosts!
        .ItemProcessor as AslMachine;
      const s = host.States;
      // The exit's dispatch carries the verification's answer and refuses anything but true (NotVerified).
      const exit = s.ExitMaintenance as {
        Parameters: { Payload: Record<string, unknown> };
        Catch: { ErrorEquals: string[]; Next: string }[];
      };
      expect(exit.Parameters.Payload['verified.$']).toBe('$.verify.v.ok');
      expect(exit.Catch[0]).toMatchObject({ ErrorEquals: ['NotVerified'], Next: 'HostFailed' });
      if (name === 'rolling-cluster-update') expect(s.ApplyAndReboot?.Next).toBe('ExitMaintenance');
      else {
        // Without maintenance mode the VMs would come back next: a Choice checks first.
        expect(s.ApplyAndReboot?.Next).toBe('VerifyOk');
        expect((s.VerifyOk as { Default: string }).Default).toBe('HostFailed');
      }
    },
  );

  it('substitutes the function ARNs everywhere', () => {
    const out = JSON.stringify(
      substituteDefinition(defs['rolling-cluster-update'], {
        DispatchFunctionArn: 'arn:d',
        JobOpsFunctionArn: 'arn:j',
      }),
    );
    expect(out).not.toContain('${');
    expect(out).toContain('"FunctionName":"arn:d"');
    expect(out).toContain('"FunctionName":"arn:j"');
  });
});

describe('workflowForJobType', () => {
  const cases: [JobType, string][] = [
    ['rolling_cluster_update', 'rolling-cluster-update'],
    ['firmware_update', 'firmware-update'],
    ['power_operation', 'power-operation'],
    ['virtual_media_mount', 'virtual-media'],
    ['virtual_media_unmount', 'virtual-media'],
    ['scp_export', 'scp-export'],
    ['inventory_sync', 'inventory-sync'],
    ['failover', 'failover'],
  ];
  it.each(cases)('%s → %s', (type, wf) => expect(workflowForJobType(type)).toBe(wf));
  it('refuses job types without a workflow', () => {
    expect(() => workflowForJobType('no_such_type' as JobType)).toThrow(UnsupportedJobTypeError);
  });
});
