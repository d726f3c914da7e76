import type { Job, JobStep } from '@rackops/core/jobs/job.schema';
import type { JobView } from '@rackops/core/usecases/job-queries';
import { describe, expect, it } from 'vitest';
import { verifyCardData } from '../src/cards/card-data';
import { cardBytes } from '../src/cards/elements';
import { renderJobCard } from '../src/cards/job-card';
import { renderWizard, wizardModel } from '../src/cards/wizard-card';
import { cardActions, cardInputValues } from '../src/testing/harness';
import { vm } from '../src/testing/seed-inventory';

const TEAMS_LIMIT = 28 * 1024;
const KEY = { secret: 'size-test-secret-0123456789abcdef0123456789', conversationId: 'conv-size' };
const now = '2026-11-28T22:00:00.000Z';

function job(over: Partial<Job> = {}): Job {
  return {
    id: '01M8J0ABCDEFGHJKMNPQRSTVWX',
    type: 'rolling_cluster_update',
    status: 'paused',
    pauseKind: 'blockers',
    pausedReason: 'blockers',
    version: 7,
    target: { kind: 'cluster', id: 'domain-c1' },
    params: { clusterName: 'lab-a' },
    createdBy: { kind: 'user', id: 'aad-oper', name: 'Olga Operator' },
    createdAt: now,
    scheduleAt: now,
    details: {},
    requiresApproval: false,
    updatedAt: now,
    ...over,
  };
}

function bigView(hosts: number, vmsPerHost: number): JobView {
  const reasons = [
    'usb_passthrough',
    'connected_iso',
    'affinity_rule',
    'pci_passthrough',
    'local_storage',
  ] as const;
  return {
    job: job(),
    steps: [],
    recentLog: [],
    resolutions: [],
    hosts: [],
    blockers: Array.from({ length: hosts }, (_, h) => ({
      hostId: `HOST${String(h).padStart(4, '0')}`,
      hostName: `esx-very-long-host-name-in-a-large-datacenter-${h}.corp.example.com`,
      blockers: Array.from({ length: vmsPerHost }, (_, v) => ({
        ...vm(`vm-${h}-${v}`, reasons[v % reasons.length]!, v % 2 ? 'warning' : 'critical'),
        vmName: `application-server-with-a-rather-long-name-${h}-${v}`,
        detail: `device detail ${'x'.repeat(60)}`,
      })),
    })),
  };
}

describe('cards stay under Teams 28 KB', () => {
  for (const [hosts, vms] of [
    [1, 1],
    [3, 4],
    [40, 6],
    [2, 300],
    [200, 3],
  ] as const) {
    it(`blocker wizard with ${hosts} hosts × ${vms} VMs: every page fits and every VM is on exactly one page`, () => {
      const view = bigView(hosts, vms);
      const opts = { key: KEY, cid: '01CID', maxBytes: 26_000 };
      const model = wizardModel(view, opts);
      const seen = new Map<string, number>();
      const firstHeaders = new Map<string, number>();
      for (let page = 0; page < model.pages.length; page++) {
        const card = renderWizard(view, { ...opts, page });
        expect(cardBytes(card)).toBeLessThan(TEAMS_LIMIT);
        expect(cardBytes(card)).toBeLessThanOrEqual(26_000);
        for (const chunk of model.pages[page]!) {
          for (const id of chunk.vmIds)
            seen.set(`${chunk.hostId}/${id}`, (seen.get(`${chunk.hostId}/${id}`) ?? 0) + 1);
          if (chunk.first) firstHeaders.set(chunk.hostId, (firstHeaders.get(chunk.hostId) ?? 0) + 1);
        }
        // Every button's data verifies; inputs are named for this page only.
        for (const a of cardActions(card)) expect(verifyCardData(KEY, a.data).ok).toBe(true);
        expect(Object.keys(cardInputValues(card)).every((k) => /^h\d+_(skip|order|v\d+)$/.test(k))).toBe(
          true,
        );
      }
      expect(seen.size).toBe(hosts * vms);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      expect(firstHeaders.size).toBe(hosts);
      expect([...firstHeaders.values()].every((n) => n === 1)).toBe(true);
      if (hosts * vms > 50) expect(model.pages.length).toBeGreaterThan(1);
    });
  }

  it('progress card of a long job (hundreds of steps, long log lines) fits', () => {
    const steps: JobStep[] = Array.from({ length: 600 }, (_, i) => ({
      jobId: 'j',
      key: `host:H${i}:step`,
      name: `host H${i}: enter maintenance mode and wait for DRS to evacuate`,
      order: i,
      status: i % 7 ? 'completed' : 'failed',
      message: 'm'.repeat(1900),
      updatedAt: now,
    }));
    const view: JobView = {
      job: job({
        status: 'running',
        pauseKind: undefined,
        summary: 's'.repeat(3000),
        error: 'e'.repeat(3000),
      }),
      steps,
      recentLog: Array.from({ length: 5 }, (_, i) => ({
        jobId: 'j',
        id: `${i}`,
        at: now,
        level: 'info' as const,
        message: 'l'.repeat(4000),
      })),
      blockers: [],
      resolutions: [],
      hosts: [],
    };
    expect(cardBytes(renderJobCard(view, { key: KEY, cid: 'c', maxBytes: 26_000 }))).toBeLessThan(
      TEAMS_LIMIT,
    );
  });
});
