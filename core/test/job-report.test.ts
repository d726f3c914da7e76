import { describe, expect, it } from 'vitest';
import type { FirmwarePackage } from '../src/relay/commands';
import { formatDuration } from '../src/util/duration';
import { describeCommandResult } from '../src/workflows/command-result';
import { firmwareName } from '../src/workflows/firmware-name';
import { hostOutcome } from '../src/workflows/host-outcome';
import { buildJobReport, reportText } from '../src/workflows/job-report';
import type { ApplyNowNote } from '../src/workflows/ops/apply-now.op';
import type { HostItem } from '../src/workflows/ops/state.schema';

const pkg = (name: string, version: string, rebootRequired: boolean): FirmwarePackage => ({
  componentId: name,
  name,
  version,
  url: `https://127.0.0.1:9/${encodeURIComponent(name)}.exe`,
  rebootRequired,
});
// Names as the lab's R750 capture reports them: some carry the version installed at the time.
const BIOS = pkg('BIOS', '1.13.2', true);
const DRIVERS = pkg('Dell OS Driver Pack, 21.03.10, A00', '24.03.11', false);
const ISM = pkg('Dell EMC iDRAC Service Module Embedded Package v4.0.1, A00', '5.3.0', false);
const applied = (status: ApplyNowNote['status'], state?: string): ApplyNowNote => ({
  hostId: 'LABB005',
  status,
  waits: 0,
  ...(state ? { state } : {}),
});

describe('firmware names in reports', () => {
  it.each([
    ['Dell OS Driver Pack, 21.03.10, A00', 'Dell OS Driver Pack'],
    [
      'Dell EMC iDRAC Service Module Embedded Package v4.0.1, A00',
      'Dell EMC iDRAC Service Module Embedded Package',
    ],
    ['Dell 64 Bit uEFI Diagnostics, version 4301, 4301A56, 4301.57', 'Dell 64 Bit uEFI Diagnostics'],
    ['Integrated Dell Remote Access Controller', 'Integrated Dell Remote Access Controller'],
    [
      'Broadcom Gigabit Ethernet BCM5720 - 70:B5:E8:F0:52:DC',
      'Broadcom Gigabit Ethernet BCM5720 - 70:B5:E8:F0:52:DC',
    ],
    [
      'Mellanox ConnectX-6 Dual Port 10 GbE QSFP Network Adapter',
      'Mellanox ConnectX-6 Dual Port 10 GbE QSFP Network Adapter',
    ],
    ['Power Supply.Slot.1', 'Power Supply.Slot.1'],
  ])('%s → %s (the installed version cut off)', (name, expected) => {
    expect(firmwareName(name)).toBe(expected);
  });

  it('durations read at a glance', () => {
    expect([45, 61, 41 * 60 + 20, 72 * 60, 120 * 60].map(formatDuration)).toEqual([
      '45 s',
      '1 min',
      '41 min',
      '1 h 12 min',
      '2 h',
    ]);
  });
});

describe('one host in the report', () => {
  const notStarted: HostItem = {
    hostId: 'LABB005',
    name: 'esx-b05.lab.local',
    phase: 'not_started',
    reason: 'graceful cancel requested',
    state: 'not started (graceful cancel requested); untouched',
    packages: [BIOS, DRIVERS, ISM],
  };

  it('window not started, nothing in service: untouched, nothing applied', () => {
    const row = hostOutcome(
      notStarted,
      applied('skipped', 'firmware that needs no reboot not applied (graceful cancel requested)'),
    );
    expect(row).toMatchObject({ status: 'not_started', packages: 3, applied: [] });
    expect(row.detail).toBe('not started (graceful cancel requested); untouched, nothing applied');
  });

  it('window not started but firmware applied in service: partly updated, never "untouched", new versions named', () => {
    const row = hostOutcome(
      notStarted,
      applied('applied', '2 package(s) without reboot applied in service and verified'),
      {
        inServiceSeconds: 300,
      },
    );
    expect(row).toMatchObject({ status: 'partial', packages: 2, durationSeconds: 300 });
    expect(row.applied).toEqual([
      'Dell OS Driver Pack → 24.03.11',
      'Dell EMC iDRAC Service Module Embedded Package → 5.3.0',
    ]);
    expect(row.detail).not.toMatch(/untouched|21\.03\.10|v4\.0\.1/);
  });

  it('updated in its window, in-service firmware skipped by the cancel: partly updated, only the reboot firmware named', () => {
    const row = hostOutcome(
      {
        ...notStarted,
        phase: 'updated',
        state: 'updated (1 package(s), 1 component(s) verified after the reboot), out of maintenance',
      },
      applied('skipped', 'firmware that needs no reboot not applied (graceful cancel requested)'),
      { windowSeconds: 900 },
    );
    expect(row).toMatchObject({
      status: 'partial',
      packages: 1,
      applied: ['BIOS → 1.13.2'],
      durationSeconds: 900,
    });
  });

  it('failed in its window: where it is and what to do next', () => {
    const row = hostOutcome(
      {
        ...notStarted,
        phase: 'failed',
        state:
          'FAILED: host did not come back — now iDRAC reachable, power On, vCenter: notResponding, in maintenance mode',
        where: 'iDRAC reachable, power On, vCenter: notResponding, in maintenance mode',
        powerOff: [{ vmId: 'vc/vm-1', vmMoref: 'vm-1', vcenterId: 'vc', name: 'db-01' }],
      },
      undefined,
    );
    expect(row.status).toBe('failed');
    expect(row.next).toBe(
      "Check the host in vCenter and its iDRAC's job queue; take it out of maintenance mode once it is healthy; power these VMs back on: db-01; then run `update host LABB005` to finish it.",
    );
  });

  it('"not in maintenance mode" is not read as in maintenance mode', () => {
    const row = hostOutcome(
      { ...notStarted, phase: 'failed', where: 'iDRAC unreachable, not in maintenance mode' },
      undefined,
    );
    expect(row.next).not.toMatch(/maintenance/);
    expect(row.next).toMatch(/power and its iDRAC network/);
  });
});

describe('the job report', () => {
  const row = (hostId: string, status: 'updated' | 'current' | 'failed' | 'not_started', where?: string) => ({
    hostId,
    name: `esx-${hostId.toLowerCase()}`,
    status,
    packages: status === 'current' ? 0 : 3,
    detail: status,
    applied: [],
    ...(where ? { where } : {}),
  });
  const ha = {
    restored: true,
    text: 'HA admission control restored (failover level 1, admission control on)',
  };

  it('completed: the one line an operator reads first', () => {
    const r = buildJobReport({
      outcome: 'completed',
      problems: [],
      hosts: [row('A1', 'updated'), row('A2', 'updated'), row('A3', 'updated'), row('A4', 'current')],
      ha,
      durationSeconds: 41 * 60,
    });
    expect(r.summary).toBe('3 hosts updated, 1 already current, 41 min, HA restored');
    expect(r.next).toEqual([]);
  });

  it('failed: what failed and where it is leads, then the tally; what to do next names the command', () => {
    const r = buildJobReport({
      outcome: 'failed',
      problems: [],
      hosts: [
        row('B1', 'failed', 'iDRAC reachable, power On, in maintenance mode'),
        row('B2', 'updated'),
        row('B3', 'not_started'),
      ],
      ha,
      durationSeconds: 700,
      rerun: 'update cluster lab-b',
    });
    expect(r.summary).toBe(
      'esx-b1 (in maintenance mode) failed; 1 host updated, 1 not started, 12 min, HA restored',
    );
    expect(r.next).toEqual([
      'Once the failure is dealt with, run `update cluster lab-b` again to update the 1 host left; hosts already current are left alone.',
    ]);
    expect(reportText(r).split('\n')[0]).toBe(`failed: ${r.summary}`);
  });

  it('a one-host job that failed says why and where the host was left (its name is the target already)', () => {
    const r = buildJobReport({
      outcome: 'failed',
      problems: [],
      hosts: [
        {
          ...row('B1', 'failed', 'iDRAC reachable, power On, in maintenance mode'),
          detail:
            'FAILED: LABB001 did not come back within 60 s — now iDRAC reachable, power On, in maintenance mode',
        },
      ],
      durationSeconds: 95,
    });
    expect(r.summary).toBe('LABB001 did not come back within 60 s; left in maintenance mode; 2 min');
  });

  it('HA not restored is said in the line and in what to do next', () => {
    const r = buildJobReport({
      outcome: 'failed',
      problems: ['HA admission control NOT restored (timeout): restore it by hand to {"failoverLevel":1}'],
      hosts: [row('A1', 'updated')],
      ha: {
        restored: false,
        text: 'HA admission control NOT restored (timeout): restore it by hand to {"failoverLevel":1}',
      },
    });
    expect(r.summary).toMatch(/^HA admission control NOT restored .*; 1 host updated, HA NOT restored$/);
    expect(r.next[0]).toMatch(/^Restore HA admission control by hand/);
  });
});

describe('single-command results in words', () => {
  it('an inventory sync: counts, changes, warnings — no JSON', () => {
    const t = describeCommandResult(
      { kind: 'inventory.vcenter' },
      {
        pages: 3,
        counts: { vcenter: 1, cluster: 2, host: 12, vm: 120, datastore: 4, network: 3 },
        warnings: [],
      },
      {
        pages: 3,
        items: 142,
        written: 14,
        unchanged: 128,
        gone: 1,
        warnings: 0,
        sawLast: true,
        incomplete: 0,
      },
    );
    expect(t.summary).toBe(
      'inventory synced: 2 clusters, 12 hosts, 120 VMs; 14 changed, 1 gone, no warnings',
    );
    expect(t.facts.map((f) => `${f.title}=${f.value}`)).toEqual([
      'vCenters=1',
      'Clusters=2',
      'Hosts=12',
      'VMs=120',
      'Datastores=4',
      'Networks=3',
      'Changed=14 (new or different since the last sync)',
      'Unchanged=128',
      'Gone=1 (no longer reported by the source)',
      'Warnings=none',
    ]);
    expect([t.summary, ...t.facts.map((f) => f.value)].join(' ')).not.toMatch(/[{}[\]"]/);
  });

  it('an SCP export names the file the agent wrote', () => {
    const t = describeCommandResult(
      { kind: 'scp.export' },
      {
        jobId: 'JID_1',
        bytes: 48_000,
        sha256: 'ab'.repeat(32),
        file: '/var/lib/rackops/scp/LABA001-JID_1.json',
      },
    );
    expect(t.summary).toBe(
      'configuration backup (47 KB) saved by the relay agent to /var/lib/rackops/scp/LABA001-JID_1.json',
    );
    expect(t.facts.map((f) => f.title)).toEqual(['Format', 'Size', 'iDRAC job', 'SHA-256']);
  });
});
