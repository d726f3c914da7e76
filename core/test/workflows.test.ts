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
    const stage = def.States.StageFirmware?.ItemProcessor as AslMachine;
    expect(stage.StartAt).toBe('StageNeeded');
    const params = (stage.States.StageHost!.Parameters as { Payload: { command: { params: unknown } } })
      .Payload.command.params;
    expect(params).toMatchObject({ 'packages.$': '$.host.packages', applyTime: 'OnReset' });
    const [hostsBranch, nowBranch] = def.States.Rollout!.Branches as AslMachine[];
    // One Map over the hosts in plan order, at most batch size (≤ k) at once: no barrier between batches.
    const hosts = hostsBranch!.States.Hosts!;
    expect(hosts.ItemsPath).toBe('$.plan.hosts');
    expect(hosts.MaxConcurrencyPath).toBe('$.plan.batchSize');
    const host = hosts.ItemProcessor as AslMachine;
    expect(host.StartAt).toBe('HostBegin');
    // Nothing leaves service before host-begin said go; a host may wait in a loop (appliance, claim).
    const go = host.States.HostGo as { Choices: { Next: string }[]; Default: string };
    expect(go.Choices.map((c) => c.Next)).toEqual(['PowerOffVms', 'HostWaitTurn']);
    expect(go.Default).toBe('HostNotStarted');
    expect(host.States.HostWaitTurn?.Next).toBe('HostBegin');
    // Firmware without reboot: nothing is sent before apply-now-begin said go.
    const now = nowBranch!.States.ApplyNow!;
    expect(now.ItemsPath).toBe('$.plan.applyNow');
    const item = now.ItemProcessor as AslMachine;
    expect(item.StartAt).toBe('ApplyNowBegin');
    const nowGo = item.States.ApplyNowGo as { Choices: { Next: string }[]; Default: string };
    expect(nowGo.Choices.map((c) => c.Next)).toEqual(['ApplyNowStage', 'ApplyNowWait']);
    const nowParams = (item.States.ApplyNowStage!.Parameters as { Payload: { command: { params: unknown } } })
      .Payload.command.params;
    expect(nowParams).toMatchObject({ 'packages.$': '$.host.immediate', applyTime: 'Immediate' });
  });

  it.each(['rolling-cluster-update', 'firmware-update'] as const)(
    '%s: an immediate cancel is checked after the VMs are off and in maintenance, before any flash',
    (name) => {
      const host = (defs[name].States.Rollout!.Branches as AslMachine[])[0]!.States.Hosts!
        .ItemProcessor as AslMachine;
      const s = host.States;
      expect(s.PowerOffVms?.Next).toBe('CancelAfterVmsOff');
      expect(s.EnterMaintenance?.Next).toBe('CancelInMaintenance');
      for (const [check, go, stop] of [
        [
          'CancelAfterVmsOff',
          name === 'firmware-update' ? 'UseMaintenance' : 'EnterMaintenance',
          'StopPowerOnVms',
        ],
        ['CancelInMaintenance', 'ApplyAndReboot', 'StopExitMaintenance'],
      ] as const) {
        expect(JSON.stringify(s[check]?.Parameters)).toContain('"op":"check-cancel"');
        const choice = s[`${check}Stop`] as { Choices: { Next: string }[]; Default: string };
        expect(choice.Choices.map((c) => c.Next)).toEqual([stop]);
        expect(choice.Default).toBe(go);
      }
      // Stopped: out of maintenance, VMs back on, recorded as not started.
      expect(s.StopExitMaintenance?.Next).toBe('StopPowerOnVms');
      expect(s.StopPowerOnVms?.Next).toBe('HostStopped');
      expect(JSON.stringify(s.HostStopped?.Parameters)).toContain('"op":"host-stopped"');
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
