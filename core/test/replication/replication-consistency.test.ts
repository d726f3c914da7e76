import { describe, expect, it } from 'vitest';
import { consistencyOf } from '../../src/workflows/ops/replication-consistency';

/** What a VM-consistent run's report says about each VM, from the agent's quiesce output. */
describe('consistencyOf', () => {
  const quiesce = {
    vms: ['vm-1', 'vm-2'],
    taken: [
      { vm: 'vm-1', snapshot: 'snapshot-1', created: true },
      { vm: 'vm-2', snapshot: 'snapshot-2', created: true },
    ],
    failed: [],
    skipped: [{ vm: 'vm-9', vmName: 'vcsa-01', reason: "vCenter's own appliance: never quiesced" }],
  };

  it("names vCenter's appliance as skipped; the others stay VM-consistent", () => {
    const c = consistencyOf({ pg: { vmConsistent: true }, quiesce });
    expect(c.vmConsistent).toBe(true);
    expect(c.quiesceFailed).toEqual([]);
    expect(c.facts).toContainEqual({
      title: 'Skipped: vcsa-01',
      value: "vCenter's own appliance: never quiesced; crash-consistent in the replica",
    });
  });

  it('reads an agent output from before `skipped` existed as nothing skipped', () => {
    const { skipped: _, ...old } = quiesce;
    const c = consistencyOf({ pg: { vmConsistent: true }, quiesce: old });
    expect(c.vmConsistent).toBe(true);
    expect(c.facts.map((f) => f.title)).toEqual(['Consistency']);
  });
});
