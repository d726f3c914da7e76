import {
  hostStepKey,
  isDrVmSubStep,
  isHostSubStep,
  parseHostStepKey,
  stepKeyFormat,
} from '@rackops/core/jobs/job-step';
import { hostStepTemplate } from '@rackops/core/workflows/asl';
import { vmPowerMap } from '@rackops/core/workflows/host-update/state-builders';
import { buildWorkflowDefinitions } from '@rackops/core/workflows/index';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';

const HOST_ID = 'ABC1234';
const VM_ID = 'vm-42';
const VM_NAME = 'web-01';
const SAMPLE = { hostId: HOST_ID, host: { hostId: HOST_ID }, vm: { vmId: VM_ID, name: VM_NAME } };

/** What the Step Functions interpreter (the local engine's) makes of a `step` template for the sample state. */
async function evaluate(step: Record<string, unknown>): Promise<{ key: string; hostId?: string }> {
  const machine = new StateMachine(
    { StartAt: 'Key', States: { Key: { Type: 'Pass', Parameters: step, End: true } } } as never,
    { validationOptions: { noValidate: true } },
  );
  return (await machine.run(SAMPLE as never).result) as { key: string; hostId?: string };
}

function keyTemplates(node: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(node)) for (const n of node) keyTemplates(n, out);
  else if (node && typeof node === 'object') {
    if ('key.$' in node) out.push(node as Record<string, unknown>);
    for (const v of Object.values(node)) keyTemplates(v, out);
  }
  return out;
}

describe('one step key: the TypeScript key and the ASL States.Format template agree', () => {
  it('a host sub-step, under the default and another host path', async () => {
    expect(await evaluate({ ...hostStepTemplate('enter-maintenance') })).toEqual({
      key: hostStepKey(HOST_ID, 'enter-maintenance'),
      hostId: HOST_ID,
    });
    expect((await evaluate(hostStepTemplate('clear-stale-jobs', '$.hostId'))).key).toBe(
      hostStepKey(HOST_ID, 'clear-stale-jobs'),
    );
  });

  it('a key with a second variable part (a VM power step) as the workflow builds it', async () => {
    const [step] = keyTemplates(vmPowerMap('PowerOff', 'off', 'Next'));
    expect(step).toBeDefined();
    expect((await evaluate(step!)).key).toBe(hostStepKey(HOST_ID, 'vm', VM_ID, 'power-off'));
  });

  it('every templated step key in the built workflows is a sub-step key of the host (or of a DR VM)', async () => {
    const templates = keyTemplates(buildWorkflowDefinitions());
    expect(templates.length).toBeGreaterThan(10);
    for (const t of templates) {
      const { key } = await evaluate({ 'key.$': t['key.$'] });
      expect(isHostSubStep(key, HOST_ID) || isDrVmSubStep(key, VM_NAME), key).toBe(true);
    }
  });

  it('reads a host step key back into its host and parts; other keys are not host steps', () => {
    expect(parseHostStepKey(hostStepKey(HOST_ID))).toEqual({ hostId: HOST_ID, rest: [] });
    expect(parseHostStepKey(hostStepKey(HOST_ID, 'vm', VM_ID, 'power-off'))).toEqual({
      hostId: HOST_ID,
      rest: ['vm', VM_ID, 'power-off'],
    });
    expect(parseHostStepKey('preflight')).toBeUndefined();
    expect(parseHostStepKey('host:')).toBeUndefined();
  });

  it('refuses a literal part States.Format would read differently', () => {
    expect(() => stepKeyFormat(['host', { path: '$.h' }, "it's"])).toThrow(/needs escaping/);
    expect(() => stepKeyFormat(['a{}b'])).toThrow(/needs escaping/);
  });
});
