import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { LabConfigInput } from '@rackops/lab/config/lab-config.schema';
import { type Lab, type StartLabOptions, startLab } from '@rackops/lab/index';
import { type SqsEmulator, startSqsEmulator } from '@rackops/local/sqs-emulator';
import { systemClock } from '@rackops/core/ports/clock.port';
import type { CommandKind } from '@rackops/core/relay/commands';
import {
  type CommandTarget,
  type Envelope,
  messageGroupId,
  signEnvelope,
} from '@rackops/core/relay/envelope';
import { RelayMessage } from '@rackops/core/relay/result.schema';
import { type Agent, createAgent } from '../../src/agent';
import { createHandlers } from '../../src/commands/registry';
import type { AgentConfig, AgentConfigInput } from '../../src/config/config.schema';
import { parseConfig } from '../../src/config/load-config';
import { resolveSigningKeys } from '../../src/config/signing-keys';
import { buildDevices } from '../../src/devices/build-devices';
import { createPackageFetcher } from '../../src/devices/package-fetcher';
import { Ledger } from '../../src/ledger/ledger';
import { createLogger } from '../../src/log/logger';
import { createMetrics } from '../../src/metrics/metrics';
import { createSqsResultSink } from '../../src/queue/sqs-result-sink';
import type { DeviceRegistry } from '../../src/devices/device-registry';
import { labDevices, labOutboundHosts } from '@rackops/local/runtime/in-process-agent';
import { createOutbound } from '../../src/net/outbound';
import { buildZfsAppliances } from '../../src/zfs/build-zfs';
import type { BackupStore } from '../../src/scp/backup-store';
import { buildBackupStore } from '../../src/scp/build-backup-store';

export const SIGNING_KEY = 'test-signing-key-0123456789abcdef-0123456789';
export const TEST_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface HarnessOptions {
  readonly lab?: LabConfigInput;
  readonly labOpts?: StartLabOptions;
  /** Overrides merged into the generated agent config. */
  readonly agent?: (cfg: AgentConfigInput, lab: Lab) => AgentConfigInput;
  /** Run the agent in this process (default) or leave it to the test (child process). */
  readonly inProcess?: boolean;
}

/** Lab + SQS emulator + queues + an agent config pinned to the lab certificate; collects results. */
export class RelayHarness {
  readonly logs: string[] = [];
  readonly messages: RelayMessage[] = [];
  agent: Agent | undefined;
  private devices: DeviceRegistry | undefined;
  private ledger: Ledger | undefined;
  private s3: S3Client | undefined;
  private polling = true;
  private poller: Promise<void> | undefined;
  private readonly pollAbort = new AbortController();

  private constructor(
    readonly lab: Lab,
    readonly emu: SqsEmulator,
    readonly sqs: SQSClient,
    readonly commandsUrl: string,
    readonly resultsUrl: string,
    readonly dir: string,
    readonly config: AgentConfigInput,
  ) {}

  static async start(o: HarnessOptions = {}): Promise<RelayHarness> {
    const lab = await startLab(o.lab, { timeScale: 1 / 6000, services: { ome: false }, ...o.labOpts });
    const emu = await startSqsEmulator();
    const sqs = new SQSClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
    const commands = await sqs.send(
      new CreateQueueCommand({ QueueName: 'relay-commands.fifo', Attributes: { FifoQueue: 'true' } }),
    );
    const results = await sqs.send(new CreateQueueCommand({ QueueName: 'relay-results' }));
    const dir = mkdtempSync(join(tmpdir(), 'relay-test-'));
    const base: AgentConfigInput = {
      agentId: 'relay-test',
      signingKey: SIGNING_KEY,
      queues: {
        commandsUrl: commands.QueueUrl ?? '',
        resultsUrl: results.QueueUrl ?? '',
        region: 'us-east-1',
        endpoint: emu.endpoint,
        waitTimeSeconds: 1,
        visibilityTimeoutSeconds: 30,
      },
      heartbeatSeconds: 30,
      progressSeconds: 2,
      pollIntervalMs: 20,
      ledgerPath: join(dir, 'ledger.sqlite'),
      metrics: { port: null },
      logLevel: 'debug',
      http: { timeoutMs: 5000, retries: 3, retryBaseMs: 10 },
      repository: { hosts: labOutboundHosts(lab) },
      media: { allowHosts: labOutboundHosts(lab) },
      devices: labDevices(lab),
    };
    const config = o.agent ? o.agent(base, lab) : base;
    const h = new RelayHarness(lab, emu, sqs, commands.QueueUrl ?? '', results.QueueUrl ?? '', dir, config);
    h.poller = h.collect();
    if (o.inProcess !== false) h.startAgent();
    return h;
  }

  /** Starts the agent in-process with real clients; its pino output is kept in `logs`. */
  startAgent(): Agent {
    const cfg = parseConfig(this.config);
    const sink = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        this.logs.push(chunk.toString('utf8'));
        cb();
      },
    });
    const log = createLogger('debug', sink);
    this.ledger = new Ledger(cfg.ledgerPath);
    this.devices = buildDevices(cfg);
    const handlers = createHandlers({
      devices: this.devices,
      fetchPackage: createPackageFetcher({ mode: 'pin', sha256: this.lab.tls.certSha256 }, 10_000),
      backups: this.useBackups(cfg),
      outbound: createOutbound(cfg),
      zfs: buildZfsAppliances(cfg),
    });
    this.agent = createAgent({
      config: cfg,
      keys: resolveSigningKeys(cfg),
      sqs: this.sqs,
      sink: createSqsResultSink(this.sqs, cfg.queues.resultsUrl),
      ledger: this.ledger,
      devices: this.devices,
      handlers,
      clock: systemClock,
      log,
      metrics: createMetrics(),
    });
    this.agent.start();
    return this.agent;
  }

  /** The config's backup store (a folder next to the ledger unless the test names another), its client kept to close. */
  private useBackups(cfg: AgentConfig): BackupStore {
    const built = buildBackupStore(cfg, TEST_CREDENTIALS);
    this.s3 = built.s3;
    return built.store;
  }

  async stopAgent(graceMs = 5000): Promise<void> {
    await this.agent?.stop(graceMs);
    await this.devices?.close();
    this.ledger?.close();
    this.s3?.destroy();
    this.s3 = undefined;
    this.agent = undefined;
    this.devices = undefined;
    this.ledger = undefined;
  }

  /** The running agent's Redfish client for one iDRAC (same sessions and TLS pinning as its handlers). */
  idrac(id: string) {
    if (!this.devices) throw new Error('the agent is not running in this process');
    return this.devices.idrac(id);
  }

  /** The running agent's vSphere client for one vCenter. */
  vcenter(id: string) {
    if (!this.devices) throw new Error('the agent is not running in this process');
    return this.devices.vcenter(id);
  }

  /** Writes the agent config to a file (for a child-process agent), with `overrides` (a second agent's id, ledger). */
  writeConfig(overrides: Partial<AgentConfigInput> = {}, name = 'config.json'): string {
    const path = join(this.dir, name);
    writeFileSync(path, JSON.stringify({ ...this.config, ...overrides }), { mode: 0o600 });
    return path;
  }

  envelope(
    kind: CommandKind,
    target: CommandTarget,
    params: Record<string, unknown>,
    extra: Partial<Envelope> = {},
  ): Envelope {
    const now = Date.now();
    return signEnvelope(
      {
        v: 1,
        id: `cmd-${now}-${Math.random().toString(16).slice(2, 10)}`,
        kind,
        target,
        params,
        taskToken: `task-token-${Math.random().toString(16).slice(2)}`,
        jobId: 'job-test',
        issuedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 3_600_000).toISOString(),
        ...extra,
      },
      SIGNING_KEY,
    );
  }

  /** Sends a raw body to the commands queue; each call is a separate delivery (distinct dedup id). */
  async sendRaw(body: string, group = 'idrac:any'): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.commandsUrl,
        MessageBody: body,
        MessageGroupId: group,
        MessageDeduplicationId: `${Date.now()}-${Math.random().toString(16).slice(2)}`,
      }),
    );
  }

  async send(env: Envelope): Promise<Envelope> {
    await this.sendRaw(JSON.stringify(env), messageGroupId(env.target));
    return env;
  }

  results(commandId: string): Extract<RelayMessage, { type: 'result' }>[] {
    return this.messages.filter(
      (m): m is Extract<RelayMessage, { type: 'result' }> => m.type === 'result' && m.commandId === commandId,
    );
  }

  async waitFor<T>(what: string, fn: () => T | undefined, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = fn();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  waitForResult(commandId: string, timeoutMs = 20_000) {
    return this.waitFor(`result of ${commandId}`, () => this.results(commandId)[0], timeoutMs);
  }

  private async collect(): Promise<void> {
    while (this.polling) {
      try {
        const r = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.resultsUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
          }),
          { abortSignal: this.pollAbort.signal },
        );
        for (const m of r.Messages ?? []) {
          this.messages.push(RelayMessage.parse(JSON.parse(m.Body ?? '')));
          await this.sqs.send(
            new DeleteMessageCommand({ QueueUrl: this.resultsUrl, ReceiptHandle: m.ReceiptHandle }),
          );
        }
      } catch {
        if (!this.polling) return;
      }
    }
  }

  async stop(): Promise<void> {
    await this.stopAgent(1000);
    this.polling = false;
    this.pollAbort.abort();
    await this.poller;
    this.sqs.destroy();
    await this.emu.close();
    await this.lab.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
