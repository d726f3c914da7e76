import '@rackops/core/polyfills';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { systemClock } from '@rackops/core/ports/clock.port';
import { startHealthReads } from '@rackops/core/usecases/health-reads';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import { pino } from 'pino';
import {
  agentProgressSeconds,
  agentVisibilitySeconds,
  labInventorySources,
  startLocalAgent,
} from './local-stack/agent';
import { TABLE_NAME, wireFunctions } from './local-stack/functions';
import { StartedParts } from './local-stack/parts';
import { readOrCreateKey } from './local-stack/relay-key';
import type { LocalStack, LocalStackOptions } from './local-stack/stack-types';
import { startStandIns } from './local-stack/stand-ins';
import type { InProcessAgent } from './runtime/in-process-agent';
import { syncInventoryNow } from './runtime/inventory-at-start';

export { labInventorySources } from './local-stack/agent';
export { LOCAL_DISPATCH_ARN, LOCAL_JOB_OPS_ARN, labCatalog } from './local-stack/functions';
export type { LocalStack, LocalStackConfig, LocalStackOptions } from './local-stack/stack-types';

/**
 * The whole backend on one machine (DESIGN §3): the stand-ins (dynalite, fauxqs, optionally the lab), the
 * Lambda functions wired onto them around the local Step Functions engine, and optionally the relay agent.
 * Parts start in dependency order; if one fails, the ones already started are stopped.
 */
export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const log = opts.logger ?? pino({ level: 'silent' });
  const clock = opts.clock ?? systemClock;
  const timeScale = opts.timeScale ?? 1 / 60;
  const persistent = opts.dataDir !== undefined;
  const dataDir = persistent
    ? resolve(opts.dataDir as string)
    : mkdtempSync(join(tmpdir(), 'rackops-stack-'));
  mkdirSync(dataDir, { recursive: true });
  const parts = new StartedParts(log);
  const stopAll = async () => {
    await parts.stopAll();
    if (!persistent) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const relayKeyFile = join(dataDir, 'relay.key');
    const relayKey: KeyMaterial = opts.relayKey ?? readOrCreateKey(relayKeyFile);
    let cloudKeys: KeyMaterial = relayKey;

    const standIns = await startStandIns(
      {
        // A stack that keeps nothing keeps its tables in memory (the temp dir goes on stop anyway).
        ...(persistent ? { dynamoPath: join(dataDir, 'dynamo') } : {}),
        ...(opts.dynamoEndpoint ? { dynamoEndpoint: opts.dynamoEndpoint } : {}),
        timeScale,
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.lab !== undefined ? { lab: opts.lab } : {}),
        ...(opts.meter ? { meter: opts.meter } : {}),
        clock,
      },
      parts,
    );
    const { lab, relayQueues } = standIns;
    const wired = await wireFunctions(
      { opts, standIns, timeScale, clock, log, relayKeys: () => cloudKeys },
      parts,
    );
    const { store, scheduler, engine } = wired;

    const progressSeconds = agentProgressSeconds(timeScale, wired.minHeartbeatMs);
    let agent: InProcessAgent | undefined;
    if (lab && opts.agent !== false) {
      agent = startLocalAgent(
        {
          lab,
          standIns,
          signingKey: relayKey,
          dataDir,
          timeScale,
          progressSeconds,
          log,
          ...(opts.meter ? { meter: opts.meter } : {}),
          ...(opts.zfs ? { zfs: opts.zfs } : {}),
        },
        parts,
      );
    }

    // Only now that every handler is wired: continue what was running before a restart, fire overdue schedules.
    const resumed = await engine.resumeAll();
    if (resumed > 0) log.info({ resumed }, 'resumed executions after restart');
    scheduler.start();
    if (lab && agent && (opts.syncInventoryAtStart ?? persistent)) {
      const sources = labInventorySources(lab);
      await syncInventoryNow({ claim: wired.claim, store, logger: log }, sources, 120_000);
      // The claim's reads started with the sync, before a first sync had stored any host: read them now.
      if (opts.healthReads)
        for (const s of sources.filter((x) => x.source === 'vcenter'))
          await startHealthReads({ store, orchestrator: wired.orchestrator, clock }, s.id);
    }

    let stopping: Promise<void> | undefined;
    return {
      store,
      orchestrator: wired.orchestrator,
      scheduler,
      engine,
      queueStats: standIns.queueStats,
      startJob: wired.startJob,
      ...(lab ? { lab } : {}),
      ...(agent ? { agent } : {}),
      config: {
        dataDir,
        persistent,
        timeScale,
        tableName: TABLE_NAME,
        dynamoEndpoint: standIns.dynalite.endpoint,
        sqsEndpoint: standIns.sqs.endpoint,
        sfnEndpoint: wired.sfnEndpoint,
        stateMachineArns: wired.stateMachineArns,
        commandsQueueUrl: relayQueues.commandsQueueUrl,
        resultsQueueUrl: relayQueues.resultsQueueUrl,
        commandsDeadLetterUrl: relayQueues.commandsDeadLetterUrl,
        resultsDeadLetterUrl: relayQueues.resultsDeadLetterUrl,
        backups: standIns.backups,
        relayKeyFile,
        agentProgressSeconds: progressSeconds,
        agentVisibilitySeconds: agentVisibilitySeconds(timeScale, wired.minHeartbeatMs),
      },
      setRelayKeys(keys) {
        cloudKeys = keys;
      },
      stop() {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
