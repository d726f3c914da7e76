import { describe, expect, it } from 'vitest';
import { type Actor, JobStatus } from '../src/jobs/job.schema';
import { InvalidTransitionError, type JobEvent, LIFECYCLE, planTransition } from '../src/jobs/lifecycle';

const alice: Actor = { kind: 'user', id: 'u-alice', name: 'Alice' };
const system: Actor = { kind: 'system', id: 'rackops' };
const NOW = '2026-11-28T12:00:00.000Z';
const EARLIER = '2026-11-28T11:00:00.000Z';

const events: JobEvent[] = [
  { type: 'start', actor: system },
  { type: 'pause', actor: system, reason: 'blockers on 2 hosts', kind: 'blockers' },
  { type: 'resume', actor: alice, resolutionId: 'r1' },
  { type: 'complete', actor: system, summary: 'done' },
  { type: 'fail', actor: system, error: 'boom' },
  { type: 'cancel', actor: alice },
];

describe('job lifecycle', () => {
  const cases = JobStatus.options.flatMap((from) => events.map((event) => ({ from, event })));

  it.each(cases)('$event.type from $from is allowed exactly when the table says so', ({ from, event }) => {
    const job = { id: 'j1', status: from, startedAt: from === 'pending' ? undefined : EARLIER };
    const allowed = LIFECYCLE[event.type].from.includes(from);
    if (allowed) {
      expect(planTransition(job, event, NOW).status).toBe(LIFECYCLE[event.type].to);
    } else {
      expect(() => planTransition(job, event, NOW)).toThrow(InvalidTransitionError);
    }
  });

  it('terminal states are final', () => {
    for (const from of ['completed', 'failed', 'cancelled'] as const) {
      for (const event of events) {
        expect(() => planTransition({ id: 'j', status: from, startedAt: EARLIER }, event, NOW)).toThrow(
          /terminal/,
        );
      }
    }
  });

  it('sets startedAt once, on the first start', () => {
    expect(planTransition({ id: 'j', status: 'pending' }, events[0]!, NOW).startedAt).toBe(NOW);
  });

  it('stamps completedAt no earlier than startedAt, even when the clock steps back', () => {
    const patch = planTransition(
      { id: 'j', status: 'running', startedAt: NOW },
      { type: 'complete', actor: system },
      EARLIER,
    );
    expect(patch.completedAt).toBe(NOW);
  });

  it('gives a job cancelled before it ran both stamps', () => {
    const patch = planTransition({ id: 'j', status: 'pending' }, { type: 'cancel', actor: alice }, NOW);
    expect(patch).toMatchObject({ status: 'cancelled', startedAt: NOW, completedAt: NOW });
  });

  it("writes a failed job's report line with its status (one write: no reader sees it failed without it)", () => {
    const patch = planTransition(
      { id: 'j', status: 'running', startedAt: EARLIER },
      {
        type: 'fail',
        actor: system,
        error: 'scp_restore_unverified: …',
        summary: 'failed: 1 attribute differs',
      },
      NOW,
    );
    expect(patch).toMatchObject({
      status: 'failed',
      error: 'scp_restore_unverified: …',
      summary: 'failed: 1 attribute differs',
    });
  });

  it('requires a reason to pause', () => {
    expect(() =>
      planTransition(
        { id: 'j', status: 'running', startedAt: EARLIER },
        { type: 'pause', actor: system, reason: ' ', kind: 'operator' },
        NOW,
      ),
    ).toThrow(/reason/);
  });

  it('requires a resolution or a force by a named person to resume', () => {
    const paused = { id: 'j', status: 'paused' as const, startedAt: EARLIER };
    expect(() => planTransition(paused, { type: 'resume', actor: alice }, NOW)).toThrow(/resolution/);
    expect(() => planTransition(paused, { type: 'resume', actor: system, force: true }, NOW)).toThrow(
      /named person/,
    );
    expect(planTransition(paused, { type: 'resume', actor: alice, force: true }, NOW).status).toBe('running');
  });

  it('clears the pause reason on resume', () => {
    const patch = planTransition(
      { id: 'j', status: 'paused', startedAt: EARLIER },
      { type: 'resume', actor: alice, resolutionId: 'r' },
      NOW,
    );
    expect(patch.clear).toContain('pausedReason');
  });

  it('requires an actor', () => {
    expect(() =>
      planTransition({ id: 'j', status: 'pending' }, { type: 'start', actor: { kind: 'user', id: '' } }, NOW),
    ).toThrow(/actor/);
  });
});
