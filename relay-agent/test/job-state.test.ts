import { describe, expect, it } from 'vitest';
import { jobPhase } from '../src/redfish/job-state';

describe('reading Dell job states', () => {
  it.each([
    ['Scheduled', 'Task successfully scheduled.', 'awaiting-reboot'],
    ['RebootPending', 'Job scheduled. A server reboot is pending to apply the update.', 'awaiting-reboot'],
    ['Completed', 'Job completed successfully; reboot pending to activate.', 'awaiting-reboot'],
    ['Completed', 'The specified job has completed successfully.', 'completed'],
    ['CompletedWithErrors', 'Job completed with errors.', 'failed'],
    ['Failed', 'Unable to complete the firmware update operation.', 'failed'],
    ['Downloading', 'Downloading the update package.', 'running'],
    ['Running', 'Job in progress.', 'running'],
  ])('%s "%s" is %s', (JobState, Message, phase) => {
    expect(jobPhase({ JobState, Message })).toBe(phase);
  });
});
