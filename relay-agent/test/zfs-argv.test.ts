import { ValidationError } from '@rackops/core/util/errors';
import { describe, expect, it } from 'vitest';
import { featuresFromUsage } from '../src/zfs/zfs-appliance';
import { remoteCommand, zfsArgv } from '../src/zfs/zfs-argv';

describe('ZFS argv allow-list', () => {
  it('builds send, incremental send and receive as argv, each word quoted for the remote shell', () => {
    expect(zfsArgv({ verb: 'send', dataset: 'tank/vm', tag: 's2', from: 's1' })).toEqual([
      'zfs',
      'send',
      '-i',
      '@s1',
      'tank/vm@s2',
    ]);
    expect(remoteCommand(zfsArgv({ verb: 'receive', dataset: 'dr/vm', incremental: true }))).toBe(
      "'zfs' 'receive' '-F' 'dr/vm'",
    );
  });

  it.each([
    { verb: 'snapshot', dataset: 'tank/vm', tag: 'x; reboot' },
    { verb: 'destroy-snapshot', dataset: 'tank/vm', tag: '-r' },
    { verb: 'send', dataset: 'tank/vm', tag: 's2', from: '$(id)' },
    { verb: 'hold', dataset: 'tank/vm', tag: 's1', holdTag: 'a b' },
    { verb: 'snapshots', dataset: "tank/vm' -o x" },
  ] as const)('refuses %j', (call) => {
    expect(() => zfsArgv(call)).toThrow(ValidationError);
  });

  it('creates and destroys whole datasets only as RackOps test clones', () => {
    expect(
      zfsArgv({
        verb: 'clone',
        dataset: 'dr/vm',
        tag: 'rackops-gold-20261206T120000Z',
        clone: 'dr/rackops-test-gold-20261206T130000Z',
      }),
    ).toEqual([
      'zfs',
      'clone',
      'dr/vm@rackops-gold-20261206T120000Z',
      'dr/rackops-test-gold-20261206T130000Z',
    ]);
    expect(zfsArgv({ verb: 'destroy-clone', clone: 'dr/rackops-test-gold-20261206T130000Z' })).toEqual([
      'zfs',
      'destroy',
      '-f',
      'dr/rackops-test-gold-20261206T130000Z',
    ]);
    expect(zfsArgv({ verb: 'rollback', dataset: 'dr/vm', tag: 'rackops-gold-20261206T120000Z' })).toEqual([
      'zfs',
      'rollback',
      '-r',
      'dr/vm@rackops-gold-20261206T120000Z',
    ]);
    expect(zfsArgv({ verb: 'unmark', dataset: 'dr/vm', property: 'rackops:promoted' })).toEqual([
      'zfs',
      'inherit',
      'rackops:promoted',
      'dr/vm',
    ]);
    expect(() =>
      zfsArgv({ verb: 'unmark', dataset: 'dr/vm', property: 'rackops:replica' as 'rackops:promoted' }),
    ).toThrow(ValidationError);
    for (const clone of [
      'dr/vm',
      'dr',
      'dr/rackops-test-gold-20261206T130000Z/child',
      'dr/rackops-test-gold-x',
      '-r',
    ]) {
      expect(() => zfsArgv({ verb: 'destroy-clone', clone }), clone).toThrow(ValidationError);
      expect(() => zfsArgv({ verb: 'clone', dataset: 'dr/vm', tag: 's1', clone }), clone).toThrow(
        ValidationError,
      );
    }
    expect(() => zfsArgv({ verb: 'get', dataset: 'dr/vm', property: 'sharenfs' as 'origin' })).toThrow(
      ValidationError,
    );
  });

  it('quoting refuses anything outside the safe characters, whatever built it', () => {
    expect(() => remoteCommand(['zfs', "it's"])).toThrow(ValidationError);
  });
});

describe('feature detection from the CLI usage text', () => {
  it('zfs-fuse: holds listed, no bookmarks, no resumable receive, no estimate', () => {
    const usage = [
      '\tsend [-RDp] [-[iI] snapshot] <snapshot>',
      '\treceive [-vnF] <filesystem|volume|snapshot>',
      '\thold [-r] <tag> <snapshot> ...',
    ].join('\n');
    expect(featuresFromUsage(usage, undefined)).toEqual({
      version: 'legacy',
      holds: true,
      bookmarks: false,
      resumableReceive: false,
      rawSend: false,
      sizeEstimate: false,
      sendProgress: false,
    });
  });

  it('modern OpenZFS: bookmarks, resume tokens, raw send and estimates', () => {
    const usage = [
      '\tsend [-DLPbcehnpsvw] [-R [-X dataset[,dataset]...]] [[-I|-i] <snapshot>] <snapshot>',
      '\tsend [-nvPe] -t <receive_resume_token>',
      '\treceive [-vMnsFhu] [-o <property>=<value>] ... <filesystem|volume|snapshot>',
      '\thold [-r] <tag> <snapshot> ...',
      '\tbookmark <snapshot|bookmark> <newbookmark>',
    ].join('\n');
    expect(featuresFromUsage(usage, 'zfs-2.2.2-1')).toEqual({
      version: 'zfs-2.2.2-1',
      holds: true,
      bookmarks: true,
      resumableReceive: true,
      rawSend: true,
      sizeEstimate: true,
      sendProgress: true,
    });
  });
});
