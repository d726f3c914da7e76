import type { QueueDepth } from '../ports/queue-stats.port';
import type { HealthCheck } from './health-report';
import type { HealthThresholds } from './health-thresholds';

/** What `health` got from the queue-stats port: the depths, or why they could not be read. */
export type QueueReading = { queues: QueueDepth[] } | { error: string };

const ageText = (s: number): string =>
  s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 3600)} h`;

/**
 * The relay queues against the thresholds: a dead-letter queue over its limit is critical (a command or
 * result that was never processed), a work queue too deep or too old is a warning (the agent or the result
 * handler is not keeping up). Pure.
 */
export function queuesCheck(reading: QueueReading, t: HealthThresholds): HealthCheck {
  if ('error' in reading)
    return {
      name: 'queues',
      state: 'unknown',
      detail: `could not read the queues: ${reading.error}`,
      items: [],
    };
  const critical: string[] = [];
  const warning: string[] = [];
  for (const q of reading.queues) {
    const waiting = q.visible + q.delayed;
    const age = q.oldestAgeSeconds;
    const old = age !== undefined && age >= t.queueMaxAgeMinutes * 60;
    const oldest = age !== undefined ? `, oldest ${ageText(age)}` : '';
    if (q.deadLetter) {
      if (waiting + q.inFlight > t.deadLetterMaxMessages)
        critical.push(
          `${q.name}: ${waiting + q.inFlight} message(s)${oldest} (limit ${t.deadLetterMaxMessages}): never processed, see the ${q.name.replace(/ dead-letter$/, '')} handler's logs`,
        );
    } else if (waiting > t.queueMaxMessages || old) {
      warning.push(
        `${q.name}: ${waiting} waiting, ${q.inFlight} in flight${oldest} (limits ${t.queueMaxMessages} messages, ${t.queueMaxAgeMinutes} min): not drained fast enough`,
      );
    }
  }
  const items = [...critical, ...warning];
  const summary = reading.queues
    .map((q) => `${q.name} ${q.visible + q.delayed}${q.inFlight ? `+${q.inFlight}` : ''}`)
    .join(', ');
  return {
    name: 'queues',
    state: critical.length ? 'critical' : warning.length ? 'warning' : 'ok',
    detail: reading.queues.length ? `${summary} (waiting+in flight)` : 'no queues to read',
    items,
  };
}
