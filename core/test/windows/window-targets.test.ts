import { describe, expect, it } from 'vitest';
import { WindowTargets } from '../../src/windows/window.schema';

describe('window targets are inventory ids', () => {
  it('accepts a cluster as the inventory names it (<vCenter>/<moref>) and plain host ids', () => {
    const parsed = WindowTargets.parse({ clusters: ['vc-lab/domain-c1002'], hosts: ['LABB001'] });
    expect(parsed).toEqual({ clusters: ['vc-lab/domain-c1002'], hosts: ['LABB001'] });
  });

  it.each(['../etc', 'vc-lab/../x', 'a//b', 'a/b/c', '/abs', 'vc lab/x', 'x/', '$(id)/c'])(
    'refuses %j',
    (id) => {
      expect(WindowTargets.safeParse({ clusters: [id] }).success).toBe(false);
    },
  );

  it('needs at least one target', () => {
    expect(WindowTargets.safeParse({}).success).toBe(false);
  });
});
