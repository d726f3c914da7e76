import { describe, expect, it } from 'vitest';
import { NOTIFICATION_KINDS } from '../src/notifications/events';
import { parseKindWords } from '../src/notifications/kind-words';

describe('event kinds as people type them', () => {
  it('takes names, job kinds without their prefix, and all; in the declared order, once each', () => {
    expect(parseKindWords('failed, job_paused,paused')).toEqual({
      ok: true,
      kinds: ['job_paused', 'job_failed'],
    });
    expect(parseKindWords('cluster-unsafe')).toEqual({ ok: true, kinds: ['cluster_unsafe'] });
    expect(parseKindWords('ALL')).toEqual({ ok: true, kinds: [...NOTIFICATION_KINDS] });
  });

  it('refuses the whole list when one word is unknown, or when nothing is named', () => {
    expect(parseKindWords('paused,exploded')).toEqual({ ok: false, unknown: ['exploded'] });
    expect(parseKindWords(' , ')).toEqual({ ok: false, unknown: [] });
  });
});
