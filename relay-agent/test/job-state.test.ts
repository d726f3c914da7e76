import { describe, expect, it } from 'vitest';
import { DELL_JOB_STATES, JOB_STATE_TABLE, jobPhase, jobStateRule } from '../src/redfish/job-state';

describe('reading Dell job states (the table)', () => {
  it('has a rule for every JobState the DellJob schema lists', () => {
    for (const state of DELL_JOB_STATES) expect(jobStateRule({ JobState: state }), state).toBeDefined();
    for (const r of JOB_STATE_TABLE) expect(DELL_JOB_STATES).toContain(r.state);
  });

  it.each([
    ['New', 'Job created.', 0, 'running'],
    ['Scheduling', 'Task is being scheduled.', 0, 'running'],
    ['Scheduled', 'Task successfully scheduled.', 0, 'awaiting-reboot'],
    ['Downloading', 'Downloading the update package.', 10, 'running'],
    ['Downloaded', 'Package successfully downloaded.', 0, 'running'],
    ['Waiting', 'Job waiting for other jobs to complete.', 0, 'running'],
    ['ReadyForExecution', 'Configuration changes committed', 0, 'awaiting-reboot'],
    ['Running', 'Job in progress.', 50, 'running'],
    ['Running', 'Reboot is complete.', 100, 'completed'],
    ['Running', 'Reboot is complete.', 50, 'running'],
    ['Running', 'Reboot in progress.', 100, 'running'],
    ['Paused', 'Job paused.', 30, 'running'],
    ['RebootPending', 'Job scheduled. A server reboot is pending to apply the update.', 0, 'awaiting-reboot'],
    ['PendingActivation', 'Update applied; pending activation.', 100, 'awaiting-reboot'],
    ['RebootCompleted', 'Reboot is complete.', 100, 'completed'],
    ['Completed', 'Job completed successfully; reboot pending to activate.', 100, 'awaiting-reboot'],
    ['Completed', 'The specified job has completed successfully.', 100, 'completed'],
    ['Completed', 'Reboot is complete.', 100, 'completed'],
    ['CompletedWithErrors', 'Job completed with errors.', 100, 'failed'],
    ['Failed', 'Unable to complete the firmware update operation.', 100, 'failed'],
    ['RebootFailed', 'Reboot failed.', 0, 'failed'],
    ['Unknown', '', 0, 'running'],
    ['SomethingNewer', 'A state no schema lists.', 0, 'running'],
  ])('%s "%s" at %i %% is %s', (JobState, Message, PercentComplete, phase) => {
    expect(jobPhase({ JobState, Message, PercentComplete })).toBe(phase);
  });
});
