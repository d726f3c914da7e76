import {
  type HealthReport,
  type HealthState,
  healthReport,
  healthScope,
} from '@rackops/core/usecases/health-report';
import { resolveHost } from '@rackops/core/usecases/targets';
import type { Turn } from '../runtime';
import { hasRole, refusal } from '../rbac';
import { submitJob } from './job-commands';
import { say } from './reply';

/** Lines per check: a fleet with many bad servers still fits one message. */
const SHOWN = 10;

const ICON: Record<HealthState, string> = { critical: '🔴', warning: '🟠', unknown: '⚪', ok: '🟢' };

export function healthText(report: HealthReport): string {
  return [
    `**Health** — ${report.scope}: ${ICON[report.state]} ${report.state}`,
    ...report.checks.flatMap((c) => [
      `- ${ICON[c.state]} **${c.name}** — ${c.detail}`,
      ...c.items.slice(0, SHOWN).map((i) => `  - ${i}`),
      ...(c.items.length > SHOWN ? [`  - … and ${c.items.length - SHOWN} more`] : []),
    ]),
  ].join('\n');
}

/** `health`, `health TARGET`, `health cluster NAME`, `health host ID`: read-only, from what the Store holds. */
export async function health(
  turn: Turn,
  ref?: { kind: 'cluster' | 'host' | 'either'; id: string },
): Promise<string> {
  const { store, clock, usecases, queries, config } = turn.rt;
  const report = await healthReport(store, clock, await healthScope(store, ref), {
    scheduler: usecases.scheduler,
    thresholds: config.health,
    ...(queries.queues ? { queues: queries.queues } : {}),
  });
  await say(turn, healthText(report));
  return 'ok';
}

/** `health host ID refresh`: one `inventory.health` read now, as an inventory_sync job of the host (its own card). */
export async function healthRefresh(turn: Turn, id: string): Promise<string> {
  if (!hasRole(turn.role, 'operator')) {
    await say(turn, refusal('operator', turn.role, 'reading a server’s hardware now (`refresh`)'));
    return 'forbidden';
  }
  const host = await resolveHost(turn.rt.store, id, turn.rt.config.productionClusters);
  return submitJob(turn, {
    type: 'inventory_sync',
    target: { kind: 'host', id: host.id },
    params: { read: 'health' },
    // Read-only: no approval, wherever the host is.
    production: false,
  });
}
