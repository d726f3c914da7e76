import { describe, expect, it } from 'vitest';
import { applyingLine } from '../src/commands/apply-progress-line';
import type { DellJob } from '../src/redfish/redfish.schemas';

const job = (Id: string, JobState: string, PercentComplete = 0, Message = ''): DellJob => ({
  Id,
  JobType: 'FirmwareUpdate',
  JobState,
  Message,
  PercentComplete,
});
const completed = (n: number) =>
  job(`JID_${n}`, 'Completed', 100, 'The specified job has completed successfully.');

describe("the apply's progress line", () => {
  it('says first how many jobs have ended, then names the few still open', () => {
    const jobs = [
      ...Array.from({ length: 11 }, (_, i) => completed(i)),
      job('JID_20', 'Running', 40, 'Job in progress.'),
      job('JID_21', 'Scheduled', 0, 'Task successfully scheduled.'),
      job('JID_22', 'Scheduled', 0, 'Task successfully scheduled.'),
    ];
    expect(applyingLine(jobs)).toBe(
      'applying: 11 of 14 job(s) done; JID_20 Running 40%, JID_21 Scheduled 0%, JID_22 Scheduled 0%',
    );
  });

  it('counts open jobs past the third instead of listing them', () => {
    const jobs = Array.from({ length: 6 }, (_, i) => job(`JID_${i}`, 'Scheduled'));
    expect(applyingLine(jobs)).toBe(
      'applying: 0 of 6 job(s) done; JID_0 Scheduled 0%, JID_1 Scheduled 0%, JID_2 Scheduled 0%, 3 more',
    );
  });

  it('names the failed ones, before any still open', () => {
    const jobs = [completed(1), job('JID_2', 'Failed', 100, 'Unable to apply.'), job('JID_3', 'Running', 10)];
    expect(applyingLine(jobs)).toBe('applying: 1 of 3 job(s) done; failed: JID_2; JID_3 Running 10%');
  });

  it('all done, and an iDRAC that does not answer', () => {
    expect(applyingLine([completed(1), completed(2)])).toBe('applying: 2 of 2 job(s) done');
    expect(applyingLine(undefined)).toBe('applying: iDRAC not answering');
  });
});
