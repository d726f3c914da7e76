import { createInventoryPageHandler } from '@rackops/lambdas/handlers/inventory-page.handler';
import { type BatchResponse, createResultHandler } from '@rackops/lambdas/handlers/result.handler';
import { awsLogger, awsOrchestrator, awsRelayKeys, awsStore } from '@rackops/lambdas/handlers/runtime-wiring';
import { awsNotifications } from '@rackops/lambdas/notifications/aws-notifier';

/**
 * The deployed result Lambda: lambdas/src/handlers/result.handler.ts with inventory ingestion wired in
 * (result.handler's own default export drops inventory pages). This is the AWS "main" for the process:
 * dependencies are created on the first event, never at module load, and reused while the container is warm.
 */
let handle: ReturnType<typeof createResultHandler> | undefined;

export default async function handler(event: unknown): Promise<BatchResponse> {
  if (!handle) {
    const store = awsStore();
    const logger = awsLogger();
    const ingest = createInventoryPageHandler({ store, logger });
    handle = createResultHandler({
      store,
      progress: awsNotifications({ store, logger }).progress,
      orchestrator: awsOrchestrator(),
      relayKey: awsRelayKeys,
      logger,
      onInventoryPage: async (page, msg) => {
        await ingest(page, msg);
      },
    });
  }
  return handle(event);
}
