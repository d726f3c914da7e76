import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../src/index';
import { startVimLab, retrieveOne, startTask, type VimClient, waitTask } from './helpers/vim-client';

describe('vCenter VM snapshots: CreateSnapshot_Task, RemoveSnapshot_Task, the quiesce fault', () => {
  let lab: Lab;
  let vim: VimClient;
  const vmByName = (name: string) => [...lab.world.vms.values()].find((v) => v.name === name)!;
  const text = (v: unknown) => (v as { '#text': string })['#text'];

  beforeAll(async () => {
    ({ lab, vim } = await startVimLab());
  });
  afterAll(async () => {
    await lab.stop();
  });

  const create = (moref: string, name: string, quiesce: boolean) =>
    startTask(
      vim,
      'CreateSnapshot_Task',
      `<_this type="VirtualMachine">${moref}</_this><name>${name}</name><description>rackops</description><memory>false</memory><quiesce>${quiesce}</quiesce>`,
    );
  const remove = (snapshot: string) =>
    startTask(
      vim,
      'RemoveSnapshot_Task',
      `<_this type="VirtualMachineSnapshot">${snapshot}</_this><removeChildren>false</removeChildren>`,
    );
  type Tree = { name: string; quiesced: string; snapshot: unknown; childSnapshotList?: Tree[] };
  // The test's XML parser reads one repeated element as an object: a list either way.
  const list = (v: unknown): Tree[] =>
    (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((t: Tree) => ({
      ...t,
      childSnapshotList: list(t.childSnapshotList),
    }));
  const info = async (moref: string) => {
    const raw = (await retrieveOne(vim, 'VirtualMachine', moref, ['snapshot'])).snapshot as
      | { currentSnapshot: unknown; rootSnapshotList: unknown }
      | undefined;
    return raw && { currentSnapshot: raw.currentSnapshot, rootSnapshotList: list(raw.rootSnapshotList) };
  };

  it('a quiesced snapshot shows in the property collector as the current one; removing it leaves none', async () => {
    const vm = vmByName('app-a-001');
    expect(await info(vm.moref)).toBeUndefined();
    const done = await waitTask(vim, await create(vm.moref, 'rackops-q1', true));
    expect(done.state).toBe('success');
    const snap = await info(vm.moref);
    const root = snap?.rootSnapshotList[0];
    expect(root).toMatchObject({ name: 'rackops-q1', quiesced: 'true' });
    expect(text(snap?.currentSnapshot)).toBe(text(root?.snapshot));

    // A second one is the first's child; removing the first keeps the second, now a root.
    await waitTask(vim, await create(vm.moref, 'rackops-q2', false));
    const two = await info(vm.moref);
    expect(two?.rootSnapshotList[0]?.childSnapshotList?.[0]).toMatchObject({
      name: 'rackops-q2',
      quiesced: 'false',
    });
    expect((await waitTask(vim, await remove(text(root?.snapshot)))).state).toBe('success');
    const one = await info(vm.moref);
    expect(one?.rootSnapshotList.map((t) => t.name)).toEqual(['rackops-q2']);
    await waitTask(vim, await remove(text(one?.rootSnapshotList[0]?.snapshot)));
    expect(await info(vm.moref)).toBeUndefined();
    expect(vm.snapshots).toEqual([]);
  });

  it('a quiesce that fails (host fault vmQuiesceFails) ends the task with ApplicationQuiesceFault and no snapshot', async () => {
    const vm = vmByName('app-a-002');
    lab.world.faults.set(vm.hostId, { vmQuiesceFails: true });
    try {
      const failed = await waitTask(vim, await create(vm.moref, 'rackops-q3', true));
      expect(failed.state).toBe('error');
      expect(failed.error?.fault['@_xsi:type']).toBe('ApplicationQuiesceFault');
      expect(failed.error?.localizedMessage).toContain('quiescing');
      expect(await info(vm.moref)).toBeUndefined();
      // Without quiescing (crash-consistent) the same VM's snapshot is taken.
      expect((await waitTask(vim, await create(vm.moref, 'rackops-crash', false))).state).toBe('success');
      const snap = await info(vm.moref);
      await waitTask(vim, await remove(text(snap?.rootSnapshotList[0]?.snapshot)));
    } finally {
      lab.world.faults.clear(vm.hostId);
    }
  });

  it('removing a snapshot that does not exist is ManagedObjectNotFound', async () => {
    const r = await vim.call(
      '<RemoveSnapshot_Task xmlns="urn:vim25"><_this type="VirtualMachineSnapshot">snapshot-99999</_this><removeChildren>false</removeChildren></RemoveSnapshot_Task>',
    );
    expect(r.status).toBe(500);
    expect(r.text).toContain('ManagedObjectNotFound');
  });
});
