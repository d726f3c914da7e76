import { describe, expect, it } from 'vitest';
import { blockersOf, datastoreOfPath, mandatoryRulesByVm } from '../src/vsphere/vm-devices';

const devices = {
  usbPassthrough: false,
  pciPassthrough: false,
  vgpu: false,
  faultTolerance: false,
  localStorage: false,
  affinityRules: [] as string[],
};

describe('blocker severity from what vMotion can do', () => {
  it('an ISO on a host-local datastore is critical; on a shared one, a warning', () => {
    const iso = { ...devices, connectedIso: '[datastore1 (esx-b05)] iso/x.iso' };
    expect(blockersOf('vm-1', 'x', iso, false, { isoOnLocalDatastore: true })[0]?.severity).toBe('critical');
    expect(blockersOf('vm-1', 'x', iso, false, { isoOnLocalDatastore: false })[0]?.severity).toBe('warning');
    expect(datastoreOfPath(iso.connectedIso)).toBe('datastore1 (esx-b05)');
  });

  it('a mandatory VM-host rule is critical; VM-VM affinity a warning', () => {
    const d = { ...devices, affinityRules: ['must-run-a03', 'keep-together'] };
    const out = blockersOf('vm-1', 'x', d, false, { mandatoryRules: ['must-run-a03'] });
    expect(out.map((b) => `${b.detail}:${b.severity}`)).toEqual([
      'must-run-a03 (must run on its host group):critical',
      'keep-together:warning',
    ]);
  });

  it('reads enabled mandatory VM-host rules from a cluster configurationEx', () => {
    const cfg = {
      group: [{ _type: 'ClusterVmGroup', name: 'lic', vm: [{ value: 'vm-7' }] }],
      rule: [
        {
          _type: 'ClusterVmHostRuleInfo',
          name: 'must',
          mandatory: 'true',
          enabled: 'true',
          vmGroupName: 'lic',
        },
        {
          _type: 'ClusterVmHostRuleInfo',
          name: 'should',
          mandatory: 'false',
          enabled: 'true',
          vmGroupName: 'lic',
        },
        {
          _type: 'ClusterVmHostRuleInfo',
          name: 'off',
          mandatory: 'true',
          enabled: 'false',
          vmGroupName: 'lic',
        },
      ],
    };
    expect(mandatoryRulesByVm(cfg).get('vm-7')).toEqual(['must']);
  });
});
