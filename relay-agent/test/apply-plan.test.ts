import { describe, expect, it } from 'vitest';
import { planFromDevices } from '../src/commands/apply-plan';
import type { DellJob } from '../src/redfish/redfish.schemas';

const job = (Id: string, JobType: string, JobState: string, Message = '', PercentComplete = 0): DellJob => ({
  Id,
  JobType,
  JobState,
  Message,
  PercentComplete,
});
const staged = job('JID_1', 'FirmwareUpdate', 'Scheduled', 'Task successfully scheduled.');
const applying = job('JID_2', 'FirmwareUpdate', 'Running', 'Job in progress.', 40);
const done = job(
  'JID_3',
  'FirmwareUpdate',
  'Completed',
  'The specified job has completed successfully.',
  100,
);
const rebooting = job('RID_4', 'RebootNoForce', 'Running', 'Reboot is in progress.');
const rebooted = job('RID_5', 'RebootNoForce', 'Running', 'Reboot is complete.', 100);

describe('apply-and-reboot taken over: the plan read from the devices', () => {
  it.each([
    ['staged, host connected: the reboot was not sent', [staged, done], 'connected', { jobs: ['JID_1'] }],
    ['staged, no vCenter, nothing running: not sent', [staged], undefined, { jobs: ['JID_1'] }],
    ['an old finished reboot job says nothing', [staged, rebooted], undefined, { jobs: ['JID_1'] }],
    [
      'staged, host gone from vCenter (ESXi shutting down): sent',
      [staged],
      'notResponding',
      { jobs: ['JID_1'], rebootSent: true },
    ],
    [
      'staged, a reboot job running (no vCenter): sent',
      [staged, rebooting],
      undefined,
      { jobs: ['JID_1'], rebootSent: true },
    ],
    [
      'an update job applying in POST: sent, and watched with the staged one',
      [staged, applying, done],
      'notResponding',
      { jobs: ['JID_1', 'JID_2'], rebootSent: true },
    ],
    ['all applied, host still booting: nothing left to watch', [done], 'notResponding', { jobs: [] }],
  ] as const)('%s', (_what, jobs, conn, plan) => {
    expect(planFromDevices([...jobs], conn)).toEqual(plan);
  });
});
