import type { WindowOutcomeEvent } from '@rackops/core/ports/notifier.port';
import { describe, expect, it } from 'vitest';
import { messageFor } from '../src/notifier';
import { eventCard, eventContent } from '../src/notify/event-content';

const partial: WindowOutcomeEvent = {
  kind: 'window_outcome',
  windowId: 'W7',
  start: '2026-12-06T01:00:00.000Z',
  status: 'partial',
  hostsLeft: ['esx3', 'esx4'],
  detail:
    'window W7 (lab-b) at 2026-12-06T01:00:00.000Z: partial; 2 host(s) left for the next occurrence: esx3, esx4',
  clusterId: 'lab-b',
};

describe('window outcome as a message, a channel card and an e-mail', () => {
  it('says the outcome and the hosts left, with the window in the facts', () => {
    const c = eventContent(partial, undefined);
    expect(c.title).toBe('Maintenance window');
    expect(c.line).toBe(`🟡 Maintenance ${partial.detail}`);
    expect(c.facts).toEqual([
      { title: 'Window', value: 'W7' },
      { title: 'Outcome', value: 'partial' },
      { title: 'Hosts left', value: 'esx3, esx4' },
    ]);
    expect(JSON.stringify(eventCard(c))).toContain('esx3, esx4');
  });

  it('a skipped occurrence has no hosts-left fact and its own icon', () => {
    const skipped: WindowOutcomeEvent = {
      ...partial,
      status: 'skipped',
      hostsLeft: [],
      detail: 'skipped: no relay agent online',
    };
    expect(messageFor(skipped, undefined)).toBe('⏭️ Maintenance skipped: no relay agent online');
    expect(eventContent(skipped, undefined).facts.map((f) => f.title)).toEqual(['Window', 'Outcome']);
  });
});
