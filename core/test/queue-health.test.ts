import { describe, expect, it } from 'vitest';
import type { QueueDepth } from '../src/ports/queue-stats.port';
import { evaluateHealth } from '../src/usecases/health-report';
import { DEFAULT_HEALTH_THRESHOLDS, HealthThresholds } from '../src/usecases/health-thresholds';
import { queuesCheck } from '../src/usecases/queue-health';

const q = (name: string, over: Partial<QueueDepth> = {}): QueueDepth => ({
  name,
  deadLetter: name.endsWith('dead-letter'),
  visible: 0,
  inFlight: 0,
  delayed: 0,
  ...over,
});
const quiet = [q('commands'), q('results'), q('commands dead-letter'), q('results dead-letter')];

describe('queues check', () => {
  const cases: { name: string; queues: QueueDepth[]; state: string; item?: RegExp }[] = [
    { name: 'all drained', queues: quiet, state: 'ok' },
    {
      name: 'commands piling up',
      queues: [q('commands', { visible: 101, inFlight: 3 }), q('commands dead-letter')],
      state: 'warning',
      item: /^commands: 101 waiting, 3 in flight \(limits 100 messages, 15 min\)/,
    },
    {
      name: 'at the limit is not over it',
      queues: [q('commands', { visible: 100 })],
      state: 'ok',
    },
    {
      name: 'delayed messages count as waiting',
      queues: [q('results', { visible: 60, delayed: 41 })],
      state: 'warning',
      item: /^results: 101 waiting/,
    },
    {
      name: 'an old message on a shallow queue',
      queues: [q('commands', { visible: 1, oldestAgeSeconds: 15 * 60 })],
      state: 'warning',
      item: /oldest 15 min/,
    },
    {
      name: 'one message in a dead-letter queue is critical',
      queues: [
        q('commands', { visible: 500 }),
        q('commands dead-letter', { visible: 1, oldestAgeSeconds: 7300 }),
      ],
      state: 'critical',
      item: /^commands dead-letter: 1 message\(s\), oldest 2 h \(limit 0\): never processed, see the commands handler's logs/,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const check = queuesCheck({ queues: c.queues }, DEFAULT_HEALTH_THRESHOLDS);
      expect(check.state).toBe(c.state);
      if (c.item) expect(check.items[0]).toMatch(c.item);
      else expect(check.items).toEqual([]);
    });

  it('worst first: the dead-letter line before the deep queue', () => {
    const check = queuesCheck(
      { queues: [q('commands', { visible: 500 }), q('results dead-letter', { inFlight: 2 })] },
      DEFAULT_HEALTH_THRESHOLDS,
    );
    expect(check.items.map((i) => i.split(':')[0])).toEqual(['results dead-letter', 'commands']);
  });

  it('thresholds come from config: a dead-letter allowance and a deeper queue', () => {
    const t = HealthThresholds.parse({ deadLetterMaxMessages: 2, queueMaxMessages: 1000 });
    expect(
      queuesCheck({ queues: [q('commands', { visible: 500 }), q('results dead-letter', { visible: 2 })] }, t)
        .state,
    ).toBe('ok');
  });

  it('a bad threshold is refused by name', () => {
    const r = HealthThresholds.safeParse({ queueMaxMessages: -1 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['queueMaxMessages']);
  });

  it('an unreadable queue is unknown, with the reason, and does not hide the rest of the report', () => {
    const report = evaluateHealth(
      { scope: 'fleet', activeJobs: [], servers: [], queues: { error: 'AccessDenied' } },
      new Date(),
    );
    const check = report.checks.find((c) => c.name === 'queues');
    expect(check).toMatchObject({ state: 'unknown', detail: 'could not read the queues: AccessDenied' });
    expect(report.checks.map((c) => c.name)).toContain('inventory');
  });
});
