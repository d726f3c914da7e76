import type { AdaptiveCard } from '@microsoft/teams-ai';
import type { Job, JobStep, LogLine } from '@rackops/core/jobs/job.schema';
import type { FirmwarePackage } from '@rackops/core/relay/commands';
import type { JobHostView, JobView } from '@rackops/core/usecases/job-queries';
import { describeCommandResult } from '@rackops/core/workflows/command-result';
import { hostOutcome } from '@rackops/core/workflows/host-outcome';
import { buildJobReport } from '@rackops/core/workflows/job-report';
import type { HostItem } from '@rackops/core/workflows/ops/state.schema';
import { describe, expect, it } from 'vitest';
import { clip } from '@rackops/core/util/clip';
import { cardBytes } from '../src/cards/elements';
import { renderJobCard } from '../src/cards/job-card';

const TEAMS_LIMIT = 28 * 1024;
const OPTS = {
  key: { secret: 'render-test-secret-0123456789abcdef0123', conversationId: 'conv-render' },
  cid: 'c1',
  maxBytes: 26_000,
};
const T0 = '2026-12-04T15:00:00.000Z';
const at = (min: number) => new Date(Date.parse(T0) + min * 60_000).toISOString();

function job(over: Partial<Job> = {}): Job {
  return {
    id: '01M8J0ABCDEFGHJKMNPQRSTVWX',
    type: 'rolling_cluster_update',
    status: 'running',
    version: 3,
    target: { kind: 'cluster', id: 'domain-c8' },
    params: { clusterName: 'lab-a' },
    createdBy: { kind: 'user', id: 'aad-oper', name: 'Olga Operator' },
    createdAt: T0,
    scheduleAt: T0,
    startedAt: T0,
    details: {},
    requiresApproval: false,
    updatedAt: T0,
    ...over,
  };
}

const view = (over: Partial<JobView>): JobView => ({
  job: job(),
  steps: [],
  recentLog: [],
  blockers: [],
  resolutions: [],
  hosts: [],
  ...over,
});

/** Every TextBlock's text and every fact, in order: what a person reads on the card. */
function words(c: AdaptiveCard): string[] {
  const out: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) for (const x of n) walk(x);
    else if (n && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if (o.type === 'TextBlock') out.push(String(o.text));
      if (o.type === 'FactSet')
        for (const f of o.facts as { title: string; value: string }[]) out.push(`${f.title}: ${f.value}`);
      for (const v of Object.values(o)) if (typeof v === 'object') walk(v);
    }
  };
  walk(c.body);
  return out;
}

/** The table rows (ColumnSets), each as its cells' texts. */
function rows(c: AdaptiveCard): string[][] {
  return (c.body as Record<string, unknown>[])
    .filter((e) => e.type === 'ColumnSet')
    .map((e) =>
      (e.columns as { items: { text: string }[] }[]).map((col) => col.items.map((i) => i.text).join('')),
    );
}

const pkg = (i: number, rebootRequired = true): FirmwarePackage => ({
  componentId: `c${i}`,
  name: `Dell firmware component number ${i} with a long catalog name, 1.${i}.0, A00`,
  version: `2.${i}.0`,
  url: `https://127.0.0.1:9/p${i}.exe`,
  rebootRequired,
});

function item(i: number, phase: HostItem['phase'], extra: Partial<HostItem> = {}): HostItem {
  const tag = `LABA${String(i).padStart(3, '0')}`;
  return {
    hostId: tag,
    name: `esx-a${String(i).padStart(2, '0')}.lab.local`,
    phase,
    packages: phase === 'no_update' ? [] : Array.from({ length: 14 }, (_, k) => pkg(k, k < 10)),
    ...(phase === 'updated'
      ? { state: 'updated (10 package(s), 13 component(s) verified after the reboot), out of maintenance' }
      : {}),
    ...extra,
  };
}

const HA = { restored: true, text: 'HA admission control restored (failover level 1, admission control on)' };
const applied = { hostId: '', status: 'applied' as const, waits: 0 };

describe('the completion card', () => {
  const hosts = [
    hostOutcome(item(1, 'updated'), { ...applied, hostId: 'LABA001' }, { windowSeconds: 600 }),
    hostOutcome(item(2, 'updated'), { ...applied, hostId: 'LABA002' }, { windowSeconds: 720 }),
    hostOutcome(item(3, 'updated'), { ...applied, hostId: 'LABA003' }, { windowSeconds: 660 }),
    hostOutcome(item(4, 'no_update', { state: 'already compliant; untouched' }), undefined),
  ];
  const report = buildJobReport({
    outcome: 'completed',
    problems: [],
    hosts,
    ha: HA,
    durationSeconds: 41 * 60,
  });
  const done = view({ job: job({ status: 'completed', completedAt: at(41) }), report });

  it('leads with the summary line, then a row per host: mark, host, result, packages, time', () => {
    const c = renderJobCard(done, OPTS);
    expect(words(c)).toContain('lab-a: 3 hosts updated, 1 already current, 41 min, HA restored');
    expect(rows(c)).toEqual([
      ['', 'Host', 'Result', 'Pkgs', 'Time'],
      ['✔', 'esx-a01.lab.local', 'updated', '14', '10 min'],
      ['✔', 'esx-a02.lab.local', 'updated', '14', '12 min'],
      ['✔', 'esx-a03.lab.local', 'updated', '14', '11 min'],
      ['–', 'esx-a04.lab.local', 'already current', '–', ''],
    ]);
  });

  it('details are behind a toggle that works in AC 1.2+; every Execute keeps its Submit fallback', () => {
    const c = renderJobCard(done, OPTS);
    const details = (c.body as Record<string, unknown>[]).find((e) => e.id === 'details');
    expect(details).toMatchObject({ type: 'Container', isVisible: false });
    expect(JSON.stringify(details)).toContain(
      'Dell firmware component number 3 with a long catalog name → 2.3.0',
    );
    const actions = c.actions as Record<string, unknown>[];
    expect(actions[0]).toEqual({
      type: 'Action.ToggleVisibility',
      title: 'Show details',
      targetElements: ['details'],
    });
    for (const a of actions.filter((x) => x.type === 'Action.Execute'))
      expect((a.fallback as { type: string }).type).toBe('Action.Submit');
    // The old versions the component names carried are not what the card says was applied.
    expect(JSON.stringify(c)).not.toMatch(/1\.3\.0, A00 →/);
  });

  it('a failed job: what failed, where the host is now and what to do next come first', () => {
    const failed = buildJobReport({
      outcome: 'failed',
      problems: [],
      hosts: [
        hostOutcome(
          item(1, 'failed', {
            state:
              'FAILED: host.apply-and-reboot: LABA001 did not come back within 60 s — now iDRAC reachable, power On, vCenter: notResponding, in maintenance mode',
            where: 'iDRAC reachable, power On, vCenter: notResponding, in maintenance mode',
          }),
          undefined,
          { windowSeconds: 300 },
        ),
        hostOutcome(item(2, 'updated'), { ...applied, hostId: 'LABA002' }, { windowSeconds: 600 }),
        hostOutcome(
          item(3, 'not_started', { reason: 'host LABA001 failed and the job stops on failure' }),
          undefined,
        ),
      ],
      ha: HA,
      durationSeconds: 900,
      rerun: 'update cluster lab-a',
    });
    const c = renderJobCard(
      view({ job: job({ status: 'failed', completedAt: at(15) }), report: failed }),
      OPTS,
    );
    const w = words(c);
    expect(w[2]).toBe(
      'lab-a failed: esx-a01.lab.local (in maintenance mode) failed; 1 host updated, 1 not started, 15 min, HA restored',
    );
    expect(w).toContain('What failed');
    expect(w).toContain('Now: iDRAC reachable, power On, vCenter: notResponding, in maintenance mode');
    expect(w.find((t) => t.startsWith('Next: '))).toMatch(
      /take it out of maintenance mode.*`update host LABA001`/,
    );
    expect(w.find((t) => t.startsWith('• '))).toMatch(
      /`update cluster lab-a` again to update the 1 host left/,
    );
    expect(rows(c).map((r) => r.slice(0, 3))).toEqual([
      ['', 'Host', 'Result'],
      ['✖', 'esx-a01.lab.local', 'FAILED'],
      ['✔', 'esx-a02.lab.local', 'updated'],
      ['○', 'esx-a03.lab.local', 'not started'],
    ]);
  });

  it('a cancelled job reads as cancelled, with the hosts it never started and how to finish them', () => {
    const cancelled = buildJobReport({
      outcome: 'cancelled',
      cancelMode: 'graceful',
      problems: [],
      hosts: [
        hostOutcome(item(1, 'updated'), { ...applied, hostId: 'LABA001' }, { windowSeconds: 600 }),
        hostOutcome(
          item(2, 'not_started', { reason: 'graceful cancel requested' }),
          { ...applied, hostId: 'LABA002' },
          { inServiceSeconds: 120 },
        ),
        hostOutcome(item(3, 'not_started', { reason: 'graceful cancel requested' }), undefined),
      ],
      ha: HA,
      durationSeconds: 900,
      rerun: 'update cluster lab-a',
    });
    const c = renderJobCard(
      view({
        job: job({ status: 'cancelled', cancelRequested: 'graceful', completedAt: at(15) }),
        report: cancelled,
      }),
      OPTS,
    );
    const w = words(c);
    expect(w[2]).toBe(
      'lab-a cancelled (graceful): 1 host updated, 1 partly updated, 1 not started, 15 min, HA restored',
    );
    expect(w.join('\n')).not.toMatch(/Failed|FAILED|What failed/);
    expect(w).toContain(
      '• Run `update cluster lab-a` again to update the 2 hosts left; hosts already current are left alone.',
    );
    expect(rows(c).map((r) => r.slice(0, 3))).toEqual([
      ['', 'Host', 'Result'],
      ['✔', 'esx-a01.lab.local', 'updated'],
      ['◐', 'esx-a02.lab.local', 'partly updated'],
      ['○', 'esx-a03.lab.local', 'not started'],
    ]);
  });

  it('32 hosts with 14 long-named packages each, some failed: under 28 KB, every host still has its row', () => {
    const many = Array.from({ length: 32 }, (_, i) =>
      i % 8 === 3
        ? hostOutcome(
            item(i + 1, 'failed', {
              state: `FAILED: ${'firmware verification failed for a component with a long description, '.repeat(8)}`,
              where: 'iDRAC reachable, power On, vCenter: connected, in maintenance mode',
            }),
            undefined,
            { windowSeconds: 1200 },
          )
        : hostOutcome(item(i + 1, 'updated'), { ...applied, hostId: `H${i}` }, { windowSeconds: 900 + i }),
    );
    const r = buildJobReport({ outcome: 'failed', problems: [], hosts: many, ha: HA, durationSeconds: 7200 });
    const log: LogLine[] = Array.from({ length: 5 }, (_, i) => ({
      jobId: 'j',
      id: `${i}`,
      at: at(i),
      level: 'info',
      message: 'applying '.repeat(400),
    }));
    const c = renderJobCard(view({ job: job({ status: 'failed' }), report: r, recentLog: log }), OPTS);
    expect(cardBytes(c)).toBeLessThanOrEqual(OPTS.maxBytes);
    expect(cardBytes(c)).toBeLessThan(TEAMS_LIMIT);
    expect(rows(c)).toHaveLength(33);
    expect(words(c)[2]).toMatch(
      /^lab-a failed: esx-a04\.lab\.local \(in maintenance mode\), .* and 1 more failed; 28 hosts updated, 2 h, HA restored$/,
    );
  });
});

describe('the progress card', () => {
  const hosts: JobHostView[] = [
    { hostId: 'LABA001', name: 'esx-a01', phase: 'updated', packages: 14 },
    { hostId: 'LABA002', name: 'esx-a02', phase: 'in_progress', packages: 14 },
    { hostId: 'LABA003', name: 'esx-a03', phase: 'pending', packages: 14 },
    { hostId: 'LABA004', name: 'esx-a04', phase: 'no_update', packages: 0 },
  ];
  const step = (
    key: string,
    name: string,
    status: JobStep['status'],
    min: number,
    hostId?: string,
  ): JobStep => ({
    jobId: 'j',
    key,
    name,
    order: 100,
    status,
    startedAt: at(min),
    ...(status === 'completed' ? { completedAt: at(min + 10) } : {}),
    ...(hostId ? { hostId } : {}),
    updatedAt: at(min),
  });
  const steps: JobStep[] = [
    step('preflight', 'Preflight checks', 'completed', 0),
    step('stage', 'Stage firmware (OnReset)', 'completed', 2),
    step('host:LABA001', 'Update esx-a01', 'completed', 3, 'LABA001'),
    step('host:LABA002', 'Update esx-a02', 'running', 14, 'LABA002'),
    step('host:LABA002:enter-maintenance', 'Enter maintenance mode', 'running', 14, 'LABA002'),
  ];
  const running = view({ job: job({ details: { phase: 'updating', batch: 2 } }), hosts, steps });

  it('counts hosts done against hosts planned, not steps seen so far: more steps, same total', () => {
    const before = words(renderJobCard(running, OPTS));
    expect(before).toContain('Update hosts — 1 of 3 hosts done, 1 in progress, 1 already current');
    expect(before).toContain(
      'Phase 4 of 5: ✔ Preflight · ✔ Prepare · ✔ Stage firmware · ▶ Update hosts · Clean up',
    );
    const more = [
      ...steps,
      step('host:LABA002:scp', 'SCP backup', 'completed', 12, 'LABA002'),
      step('host:LABA003:preflight', 'Preflight', 'completed', 1, 'LABA003'),
    ];
    expect(words(renderJobCard({ ...running, steps: more }, OPTS))).toContain(
      'Update hosts — 1 of 3 hosts done, 1 in progress, 1 already current',
    );
  });

  it('each host row names the host and what it is doing now', () => {
    expect(rows(renderJobCard(running, OPTS))).toEqual([
      ['', 'Host', 'Now', 'Pkgs', 'Time'],
      ['✔', 'esx-a01', 'updated', '14', '10 min'],
      ['▶', 'esx-a02', 'Enter maintenance mode', '14', 'since 15:14'],
      ['·', 'esx-a03', 'waiting', '14', ''],
      ['–', 'esx-a04', 'already current', '', ''],
    ]);
  });

  it('steps about one host name it; console lines name their host and are cut at a word boundary', () => {
    const long = `host.apply-and-reboot: applying ${Array.from({ length: 30 }, (_, i) => `JID_84444400${i} Completed 100%`).join(', ')}`;
    const c = renderJobCard(
      {
        ...running,
        recentLog: [{ jobId: 'j', id: '1', at: at(20), level: 'info', message: long, hostId: 'LABA002' }],
      },
      OPTS,
    );
    const w = words(c);
    expect(w).toContain('▶ esx-a02 · Enter maintenance mode');
    const line = w.find((t) => t.startsWith('15:20:00 esx-a02 · host.apply-and-reboot'));
    expect(line?.endsWith('…')).toBe(true);
    const lastWord = line?.slice(0, -1).split(' ').pop() ?? '';
    expect(long.split(/[ ,]+/)).toContain(lastWord.replace(/,$/, ''));
  });

  it('an inventory sync reads as facts, not JSON', () => {
    const r = buildJobReport({
      outcome: 'completed',
      problems: [],
      hosts: [],
      durationSeconds: 12,
      command: describeCommandResult(
        { kind: 'inventory.vcenter' },
        { pages: 2, counts: { vcenter: 1, cluster: 2, host: 12, vm: 120 }, warnings: ['vm-7: no host'] },
        {
          pages: 2,
          items: 135,
          written: 135,
          unchanged: 0,
          gone: 0,
          warnings: 1,
          sawLast: true,
          incomplete: 0,
        },
      ),
    });
    const c = renderJobCard(
      view({
        job: job({
          type: 'inventory_sync',
          status: 'completed',
          target: { kind: 'vcenter', id: 'vc-lab' },
          params: {},
        }),
        report: r,
      }),
      OPTS,
    );
    const w = words(c);
    expect(w).toContain(
      'vc-lab: inventory synced: 2 clusters, 12 hosts, 120 VMs; 135 changed, 0 gone, 1 warning, 12 s',
    );
    expect(w).toContain('Clusters: 2');
    expect(w).toContain('Warnings: 1: vm-7: no host');
    expect(w.join('\n')).not.toMatch(/[{}]"|"counts"/);
  });
});

describe('clip', () => {
  it('cuts at a word boundary with an ellipsis, never mid-word', () => {
    expect(clip('JID_1 Completed 100%, JID_2 Completed 100%, JID_3 Running 50%', 40)).toBe(
      'JID_1 Completed 100%, JID_2 Completed…',
    );
    expect(clip('short', 40)).toBe('short');
    expect(clip('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
