import { describe, expect, it } from 'vitest';
import { classifyHost } from '../../src/net/ip-address';
import { checkOutboundUrl, checkUrlShape, withoutUserinfo } from '../../src/net/outbound-url';
import { CommandParams } from '../../src/relay/commands';

const policy = { mediaHosts: ['nas1.dc1.example'], firmwareHosts: ['repo.dc1.example'] };

describe('IP literals in every spelling an attacker might pick', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['127.1', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['2852039166', 'metadata'],
    ['0xa9.0xfe.0xa9.0xfe', 'metadata'],
    ['0251.0376.0251.0376', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['2002:a9fe:a9fe::1', 'metadata'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12::1', 'private'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['8.8.8.8', 'public'],
    ['2606:4700::1111', 'public'],
  ])('%s is %s', (host, cls) => {
    expect(classifyHost(host)).toBe(cls);
  });

  it('a name is not an address (DNS decides)', () => {
    expect(classifyHost('repo.dc1.example')).toBeUndefined();
    expect(classifyHost('0x7g.example')).toBeUndefined();
  });
});

describe('outbound URL policy (item 2: SSRF through the iDRAC)', () => {
  it.each([
    ['https://169.254.169.254/latest/meta-data/', 'address'],
    ['https://[fd00:ec2::254]/latest/meta-data/', 'address'],
    ['https://2852039166/', 'address'],
    ['https://127.0.0.1/x.iso', 'address'],
    ['https://0x7f.1/x.iso', 'address'],
    ['https://[::ffff:127.0.0.1]/x.iso', 'address'],
    ['https://10.0.0.5/x.iso', 'address'],
    ['http://images.example/x.iso', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['ftp://images.example/x.iso', 'scheme'],
    ['gopher://images.example/x', 'scheme'],
    ['nfs://anywhere.example/export/x.iso', 'host-not-allowed'],
    ['cifs://anywhere.example/share/x.iso', 'host-not-allowed'],
    ['nfs://169.254.169.254/x.iso', 'address'],
    ['nfs://nas1.dc1.example@169.254.169.254/x.iso', 'userinfo'],
    ['https://user:secret@images.example/x.iso', 'userinfo'],
    ['https://images.example\\@127.0.0.1/x.iso', 'malformed'],
    ['https://images.example /x.iso', 'malformed'],
    ['not a url', 'malformed'],
  ])('virtual media %s is refused by rule %s', (url, rule) => {
    const v = checkOutboundUrl(url, 'virtual-media', policy);
    expect(v.ok ? 'ok' : v.rule).toBe(rule);
  });

  it.each([
    'https://images.example/esxi.iso',
    'nfs://nas1.dc1.example/export/esxi.iso',
    'cifs://NAS1.dc1.example./share/esxi.iso',
  ])('virtual media %s is allowed', (url) => {
    expect(checkOutboundUrl(url, 'virtual-media', policy).ok).toBe(true);
  });

  it.each([
    ['http://repo.dc1.example/BIOS.EXE', 'scheme'],
    ['file:///tmp/BIOS.EXE', 'scheme'],
    ['https://evil.example/BIOS.EXE', 'host-not-allowed'],
    ['https://169.254.169.254/BIOS.EXE', 'address'],
  ])('firmware %s is refused by rule %s', (url, rule) => {
    const v = checkOutboundUrl(url, 'firmware', policy);
    expect(v.ok ? 'ok' : v.rule).toBe(rule);
  });

  it('firmware under the catalog base location is allowed without being listed', () => {
    const p = { ...policy, catalogBase: 'https://dl.example/catalog/Catalog.xml' };
    expect(checkOutboundUrl('https://dl.example/catalog/F/BIOS.EXE', 'firmware', p).ok).toBe(true);
    expect(checkOutboundUrl('https://dl.example/other/BIOS.EXE', 'firmware', p).ok).toBe(false);
  });

  it('media.insert params refuse a bad URL at the edge (job creation and the agent both parse them)', () => {
    const schema = CommandParams['media.insert'];
    expect(schema.safeParse({ image: 'https://169.254.169.254/' }).success).toBe(false);
    expect(schema.safeParse({ image: 'https://u:p@images.example/x.iso' }).success).toBe(false);
    expect(schema.safeParse({ image: 'file:///etc/shadow' }).success).toBe(false);
    expect(
      schema.safeParse({ image: 'cifs://nas1.dc1.example/s/x.iso', credentialsRef: 'nas-iso' }).success,
    ).toBe(true);
    expect(schema.safeParse({ image: 'https://images.example/x.iso', credentialsRef: '../x' }).success).toBe(
      false,
    );
  });

  it('firmware.stage params refuse http and file package URLs', () => {
    const pkg = { componentId: '159', name: 'BIOS', version: '1.2.3' };
    const schema = CommandParams['firmware.stage'];
    expect(schema.safeParse({ packages: [{ ...pkg, url: 'http://repo.dc1.example/B.EXE' }] }).success).toBe(
      false,
    );
    expect(schema.safeParse({ packages: [{ ...pkg, url: 'file:///tmp/B.EXE' }] }).success).toBe(false);
    expect(schema.safeParse({ packages: [{ ...pkg, url: 'https://repo.dc1.example/B.EXE' }] }).success).toBe(
      true,
    );
  });

  it('user info is stripped from anything echoed back', () => {
    expect(withoutUserinfo('https://u:s3cret@images.example/x.iso')).toBe('https://images.example/x.iso');
    expect(withoutUserinfo('https://images.example/x.iso')).toBe('https://images.example/x.iso');
    expect(checkUrlShape('https://images.example/x.iso', 'virtual-media').ok).toBe(true);
  });
});
