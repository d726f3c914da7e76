import { describe, expect, it } from 'vitest';
import { summarizeClusterCompliance } from '../../src/catalog/cluster-compliance';
import { formatClusterCompliance } from '../../src/inventory/compliance-report';

describe('formatClusterCompliance', () => {
  const hosts = Array.from({ length: 60 }, (_, i) => ({
    id: `H${i}`,
    name: `esx-${String(i).padStart(2, '0')}`,
  }));
  const summary = summarizeClusterCompliance({ id: 'vc/c1', name: 'big' }, hosts);

  it('paginates large clusters and stays small', () => {
    const first = formatClusterCompliance(summary, { pageSize: 25 });
    expect(first.split('\n').filter((l) => l.startsWith('| esx-'))).toHaveLength(25);
    expect(first).toContain('Page 1 of 3 (`compliance big page 2`)');
    const last = formatClusterCompliance(summary, { page: 9, pageSize: 25 });
    expect(last.split('\n').filter((l) => l.startsWith('| esx-'))).toHaveLength(10);
    expect(last).toContain('Page 3 of 3');
    expect(Buffer.byteLength(first)).toBeLessThan(28 * 1024);
  });

  it('never presents an unlinked host as compliant', () => {
    expect(formatClusterCompliance(summary)).toContain('0/60 compliant, 0 need updates, 60 unknown');
  });
});
