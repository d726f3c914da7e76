import { healthReport, healthScope } from '@rackops/core/usecases/health-report';
import { CardFactory } from 'botbuilder';
import { resolveHost } from '@rackops/core/usecases/targets';
import { healthCard, healthSummary } from '../cards/health-card';
import type { Turn } from '../runtime';
import { hasRole, refusal } from '../rbac';
import { submitJob } from './job-commands';
import { say } from './reply';

/**
 * `health`, `health TARGET`, `health cluster NAME`, `health host ID`: read-only, from what the Store holds; one
 * card (health-card.ts) with a summary line as its message text.
 */
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
  await turn.sender.send({
    type: 'message',
    text: healthSummary(report),
    textFormat: 'markdown',
    attachments: [CardFactory.adaptiveCard(healthCard(report, clock.now()))],
  });
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
