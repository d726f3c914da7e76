import { describe, expect, it } from 'vitest';
import { packageUrl } from '../../src/catalog/catalog-match';
import type { Catalog } from '../../src/catalog/catalog.schema';

const catalog = (baseLocation?: string, protocols: string[] = []) =>
  ({ baseLocation, baseLocationAccessProtocols: protocols, components: [] }) as unknown as Catalog;

describe('catalog package URLs stay https under the catalog base', () => {
  it('a bare host gets https even when the catalog advertises HTTP first', () => {
    expect(packageUrl(catalog('downloads.example', ['HTTP', 'HTTPS']), 'F/B.EXE')).toBe(
      'https://downloads.example/F/B.EXE',
    );
  });

  it.each([
    ['../../../etc/passwd', 'https://repo.example/dell/'],
    ['https://evil.example/B.EXE', 'https://repo.example/dell/'],
    ['..\\..\\x.EXE', 'https://repo.example/dell/'],
    ['F/%2e%2e/%2e%2e/x.EXE', 'https://repo.example/dell/'],
    ['F/B.EXE', 'http://repo.example/dell/'],
    ['F/B.EXE', 'file:///srv/dell/'],
    ['F/B.EXE', 'https://169.254.169.254/dell/'],
  ])('path %s under base %s is refused', (path, base) => {
    expect(() => packageUrl(catalog(base), path)).toThrow(/not an https URL under the catalog's base/);
  });

  it('relative to the catalog URL when there is no base location', () => {
    expect(packageUrl(catalog(), 'F/x.EXE', 'https://127.0.0.1:9443/catalog/Catalog.xml')).toBe(
      'https://127.0.0.1:9443/catalog/F/x.EXE',
    );
    expect(() => packageUrl(catalog(), '../x.EXE', 'https://127.0.0.1:9443/catalog/Catalog.xml')).toThrow();
  });
});

describe('a protocol-relative catalog path', () => {
  it('stays a path under the base (leading slashes are dropped, never a new host)', () => {
    expect(packageUrl(catalog('https://repo.example/dell/'), '//evil.example/B.EXE')).toBe(
      'https://repo.example/dell/evil.example/B.EXE',
    );
  });
});
