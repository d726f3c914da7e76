import { describe, expect, it } from 'vitest';
import { coveredByAcceptance, droppedTypes, formatDrops } from '../../src/inventory/drop-guard';

describe('inventory drop guard (pure)', () => {
  it.each([
    // [was, now, threshold, types held]
    [{ host: 20, vm: 400 }, { host: 20, vm: 400 }, 20, []],
    [{ host: 20, vm: 400 }, { host: 16, vm: 320 }, 20, []], // exactly 20 % less: allowed
    [{ host: 20, vm: 400 }, { host: 15, vm: 400 }, 20, ['host']],
    [{ host: 20, vm: 400 }, { host: 20, vm: 0 }, 20, ['vm']],
    [{ host: 20, vm: 400 }, {}, 20, ['host', 'vm']], // a run that read nothing
    [{ host: 2 }, { host: 1 }, 20, ['host']],
    [{ host: 2 }, { host: 1 }, 60, []],
    [{ host: 0 }, { host: 0 }, 20, []], // nothing before: nothing to lose
    [{ host: 10 }, { host: 30, vm: 5 }, 20, []], // growth is never held
  ])('%j → %j at %i %%: held %j', (was, now, pct, held) => {
    expect(droppedTypes(was, now, pct).map((d) => d.type)).toEqual(held);
  });

  it('an acceptance covers runs at least as large, type by type', () => {
    expect(coveredByAcceptance({ host: 10, vm: 200 }, { host: 10, vm: 200 })).toBe(true);
    expect(coveredByAcceptance({ host: 10, vm: 200 }, { host: 12, vm: 250 })).toBe(true);
    expect(coveredByAcceptance({ host: 10, vm: 200 }, { host: 9, vm: 250 })).toBe(false);
    expect(coveredByAcceptance({ host: 10, vm: 200 }, { host: 10 })).toBe(false);
  });

  it('says what fell in words', () => {
    expect(formatDrops(droppedTypes({ host: 20, vm: 400 }, { host: 10, vm: 0 }, 20))).toBe(
      'hosts 20 → 10, VMs 400 → 0',
    );
  });
});
