import { describe, expect, it } from 'vitest';
import type { Actor } from '../src/jobs/job.schema';
import { samePerson } from '../src/jobs/same-person';

const person = (id: string, ids?: string[], unresolved?: true): Actor => ({
  kind: 'user',
  id,
  ...(ids ? { ids } : {}),
  ...(unresolved ? { unresolved } : {}),
});

describe('samePerson: four-eyes compares people by every id they share', () => {
  it('one person under a Teams id and an AAD id is the same person, whichever id was recorded', () => {
    expect(samePerson(person('aad-mal', ['aad-mal', '29:mal']), person('29:mal', ['29:mal']))).toBe('same');
    expect(samePerson(person('29:mal', ['29:mal']), person('aad-mal', ['aad-mal', '29:mal']))).toBe('same');
  });

  it('a requester recorded before actors had ids still matches by id', () => {
    expect(samePerson(person('aad-appr', ['aad-appr', '29:appr']), person('29:appr'))).toBe('same');
  });

  it('two people with no id in common are different; unknown when either could not be resolved', () => {
    expect(samePerson(person('aad-a', ['aad-a']), person('aad-b', ['aad-b']))).toBe('different');
    expect(samePerson(person('dl-x', ['dl-x'], true), person('aad-b', ['aad-b']))).toBe('unknown');
    expect(samePerson(person('aad-b', ['aad-b']), person('dl-x', ['dl-x'], true))).toBe('unknown');
  });
});
