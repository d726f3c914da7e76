import { describe, expect, it } from 'vitest';
import { compareDellVersions } from '../../src/catalog/dell-version';

describe('compareDellVersions', () => {
  const cases: [string, string, -1 | 0 | 1, string][] = [
    ['1.8.2', '1.9.2', -1, 'dotted decimals'],
    ['1.9.2', '1.8.2', 1, 'dotted decimals, reversed'],
    ['2.10.2', '2.9.0', 1, 'numeric, not lexical (10 > 9)'],
    ['21.80.16.95', '21.80.16.95', 0, 'four-part NIC firmware, equal'],
    ['21.80.9', '21.80.16.95', -1, 'different segment counts'],
    ['6.00.30.00', '6.10.80.00', -1, 'iDRAC with leading zeros'],
    ['1.8', '1.8.0', 0, 'missing trailing segment counts as 0'],
    ['00.2A.2B', '00.2B.01', -1, 'PSU hex byte pairs'],
    ['00.2A.2B', '00.2A.2B', 0, 'PSU equal'],
    ['00.0A.00', '00.09.00', 1, 'hex letter beats digit of same length (0A > 09)'],
    ['4301A56', '4301A62', -1, 'diagnostics build with a letter'],
    ['4301A56', '4302A01', -1, 'diagnostics major build'],
    ['4301', '4301A56', -1, 'a suffix is the later build'],
    ['A07', 'A10', -1, 'Dell revisions'],
    ['A10', 'A09', 1, 'Dell revisions, two digits'],
    ['7.2.2.0', '7.2.1.0', 1, 'TPM'],
    ['20.31.10.14', '20.36.10.10', -1, 'Mellanox'],
    ['1.0.5', '1.0.5', 0, 'identical'],
    ['v1.2.0', '1.2.0', 0, 'leading v ignored'],
    ['12345678901234567890', '12345678901234567891', -1, 'long digit runs compare without precision loss'],
  ];
  it.each(cases)('%s vs %s → %i (%s)', (a, b, expected) => {
    expect(compareDellVersions(a, b)).toBe(expected);
    expect(compareDellVersions(b, a)).toBe(-expected === 0 ? 0 : -expected);
  });
});
