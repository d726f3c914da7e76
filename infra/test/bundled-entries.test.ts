import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Envelope } from '@rackops/core/relay/envelope';
import { signRelayMessage } from '@rackops/core/relay/message-signature';
import { inventoryScheduleFor } from '@rackops/core/inventory/sync-job';
import { systemClock } from '@rackops/core/ports/clock.port';
import { startJob } from '@rackops/core/usecases/start-job';
import { buildWorkflowDefinitions, substituteDefinition } from '@rackops/core/workflows/index';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import { createSfnOrchestrator, stateMachineArnsFromEnv } from '@rackops/lambdas/adapters/sfn-orchestrator';
import { type RunningDynalite, startDynalite } from '@rackops/local/dynalite';
import { LocalEngine } from '@rackops/local/engine/local-engine';
import { type RunningSfnApi, startSfnApi } from '@rackops/local/engine/sfn-api/sfn-api-server';
import { type SqsEmulator, startSqsEmulator } from '@rackops/local/sqs-emulator';
import { resultFor, sqsBatch } from '@rackops/local/testing/agent-messages';
import { recordPowerJob } from '@rackops/local/testing/relay-rig';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/handlers';
import {
  type LocalBotFramework,
  type LocalEndpoint,
  startLocalBotFramework,
  startLocalScheduler,
  startLocalSecretsManager,
} from './entries/local-endpoints';
import { type LocalResource, arnFor, exportsOf, resolver, secretArnFor } from './entries/template-world';

/**
 * Every Lambda as deployed: the bundles `npm run synth` wrote to cdk.out (CI synthesizes before it tests), each
 * run in a process of its own with the handler name and environment variables of the template — only the AWS
 * endpoints point at local stand-ins (dynalite, the SQS emulator, the local engine's Step Functions API, local
 * Secrets Manager and Scheduler endpoints that keep state). A missing or misnamed variable, an unresolvable
 * template value or a bundling fault fails here.
 */
const APP_ID = '00000000-0000-4000-8000-00000000b07a';
/**
 * What an operator puts in the bot secret after deploy (infra README), with the channel endpoints of a cloud of
 * its own: the local Bot Framework, whose keys sign the tokens this test sends.
 */
const botSecret = (bf: LocalBotFramework) =>
  JSON.stringify({
    microsoftAppId: APP_ID,
    microsoftAppPassword: 'local-test-password',
    microsoftAppTenantId: '00000000-0000-4000-8000-0000000000aa',
    microsoftAppType: 'SingleTenant',
    connectorAuth: 'none',
    channel: {
      openIdMetadataUrl: `${bf.endpoint}/openid`,
      tokenIssuer: bf.issuer,
      loginUrl: `${bf.endpoint}/login`,
      oAuthScope: 'https://api.botframework.local',
    },
    config: { cardSecret: 'entries-card-secret-0123456789abcdef', roles: { operator: ['aad-oper'] } },
  });
const execFileP = promisify(execFile);
const CDK_OUT = join(REPO_ROOT, 'cdk.out');
const RUNNER = join(REPO_ROOT, 'infra', 'test', 'entries', 'invoke-bundle.mjs');

/** The template properties this test reads. */
interface Props {
  FunctionName?: string;
  Handler?: string;
  Code?: { S3Key?: string };
  Environment?: { Variables?: Record<string, unknown> };
  FifoQueue?: unknown;
  Name?: string;
  GenerateSecretString?: unknown;
  SecretString?: string;
}

interface Fn {
  name: string;
  bundle: string;
  exportName: string;
  env: Record<string, string>;
}
type Outcome = { ok: true; value: unknown } | { ok: false; error: { name: string; message: string } };

const tmp = mkdtempSync(join(tmpdir(), 'rackops-entries-'));
let dynalite: RunningDynalite;
let sqsEmu: SqsEmulator;
let sqs: SQSClient;
let engine: LocalEngine;
let sfnApi: RunningSfnApi;
let secrets: LocalEndpoint<Map<string, string>>;
let scheduler: LocalEndpoint<Map<string, Record<string, unknown>>>;
let botFramework: LocalBotFramework;
const fns = new Map<string, Fn>();
/** What the bundles the engine called threw (shown when a workflow does not get where it should). */
const engineErrors: string[] = [];
const invoked = new Map<string, { ok: number; failed: number }>();
let relayKey = '';
let commandsQueueUrl = '';
let tableName = '';

async function invoke(name: string, events: unknown[]): Promise<Outcome[]> {
  const fn = fns.get(name);
  if (!fn) throw new Error(`no function ${name} in the template`);
  const file = join(tmp, `events-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(file, JSON.stringify(events));
  const { stdout } = await execFileP(process.execPath, [RUNNER, fn.bundle, fn.exportName, file], {
    env: fn.env,
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('@@RESULTS@@'));
  if (!line) throw new Error(`${name}: no result line:\n${stdout.slice(-2000)}`);
  const out = JSON.parse(line.slice('@@RESULTS@@'.length)) as Outcome[];
  const count = invoked.get(name) ?? { ok: 0, failed: 0 };
  // A Function URL answers a bad request with an HTTP status, not by throwing: 4xx counts as refused.
  const refused = (o: Outcome) =>
    !o.ok || ((o.value as { statusCode?: number } | null)?.statusCode ?? 0) >= 400;
  for (const o of out) refused(o) ? count.failed++ : count.ok++;
  invoked.set(name, count);
  return out;
}

function template(stack: string) {
  return JSON.parse(readFileSync(join(CDK_OUT, `${stack}.template.json`), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: Props }>;
    Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
  };
}

beforeAll(async () => {
  // CI synthesizes before it tests (.ci/run); a bare `npm test` synthesizes here, as `npm run synth` would.
  if (!existsSync(join(CDK_OUT, 'rackops-stateless.template.json'))) {
    await execFileP(
      'npm',
      [
        'run',
        'synth',
        '--',
        '-c',
        'rackops:relayAgentPrincipal=arn:aws:iam::123456789012:role/rackops-relay-agent-example',
      ],
      { cwd: REPO_ROOT, timeout: 540_000, maxBuffer: 64 * 1024 * 1024 },
    );
  }
  botFramework = await startLocalBotFramework();
  dynalite = await startDynalite({});
  // Region `local`, as in the template's ARNs.
  sqsEmu = await startSqsEmulator({ region: 'local' });
  sqs = new SQSClient({
    endpoint: sqsEmu.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });

  // The stateful stack's resources, made locally.
  const stateful = template('rackops-stateful');
  const local: Record<string, LocalResource> = {};
  const secretValues = new Map<string, string>();
  relayKey = randomBytes(32).toString('hex');
  for (const [id, r] of Object.entries(stateful.Resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::DynamoDB::Table') {
      tableName = `local-${id}`;
      await createDynamoStore({ client: dynalite.client(), tableName }).migrate();
      local[id] = { ref: tableName, atts: { Arn: arnFor('dynamodb', `table/${tableName}`) } };
    } else if (r.Type === 'AWS::SQS::Queue') {
      const name = p.FifoQueue ? `${id}.fifo` : id;
      const out = await sqs.send(
        new CreateQueueCommand({ QueueName: name, Attributes: p.FifoQueue ? { FifoQueue: 'true' } : {} }),
      );
      const queueUrl = out.QueueUrl ?? '';
      local[id] = { ref: queueUrl, atts: { Arn: arnFor('sqs', name), QueueName: name } };
    } else if (r.Type === 'AWS::SecretsManager::Secret') {
      const arn = secretArnFor(String(p.Name ?? id));
      // Generated secrets get a value; the bot secret gets what an operator puts after deploy.
      secretValues.set(
        arn,
        JSON.stringify(p).includes('microsoftAppId')
          ? botSecret(botFramework)
          : p.GenerateSecretString
            ? relayKey
            : String(p.SecretString ?? ''),
      );
      local[id] = { ref: arn };
    } else {
      local[id] = { ref: id, atts: { Arn: arnFor('local', id) } };
    }
  }
  const imports = exportsOf(stateful, resolver(local));

  // The stateless stack: functions by name; everything else by id.
  const stateless = template('rackops-stateless');
  const assets = JSON.parse(readFileSync(join(CDK_OUT, 'rackops-stateless.assets.json'), 'utf8')) as {
    files: Record<string, { source: { path: string } }>;
  };
  const own: Record<string, LocalResource> = {};
  for (const [id, r] of Object.entries(stateless.Resources)) {
    const fnName = r.Type === 'AWS::Lambda::Function' ? String(r.Properties?.FunctionName) : undefined;
    own[id] = fnName
      ? { ref: fnName, atts: { Arn: arnFor('lambda', `function:${fnName}`) } }
      : { ref: id, atts: { Arn: arnFor('local', id) } };
  }
  const resolve = resolver(own, imports);

  secrets = await startLocalSecretsManager(secretValues);
  scheduler = await startLocalScheduler();

  // The local engine runs the deployed state machines, named as in AWS; its Lambda calls go to the bundles.
  const store = createDynamoStore({ client: dynalite.client(), tableName });
  const arnOfFn = (n: string) => arnFor('lambda', `function:rackops-${n}`);
  const definitions = Object.fromEntries(
    Object.entries(buildWorkflowDefinitions()).map(([w, def]) => [
      `rackops-${w}`,
      substituteDefinition(def, {
        DispatchFunctionArn: arnOfFn('dispatch'),
        JobOpsFunctionArn: arnOfFn('job-ops'),
      }),
    ]),
  );
  const viaBundle = (n: string) => async (payload: unknown) => {
    const [out] = await invoke(n, [payload]);
    if (!out?.ok) engineErrors.push(`${n}: ${out?.error.name}: ${out?.error.message}`);
    if (!out?.ok) throw Object.assign(new Error(out?.error.message), { name: out?.error.name ?? 'Error' });
    return out.value;
  };
  engine = new LocalEngine({
    store,
    definitions,
    functions: { [arnOfFn('dispatch')]: viaBundle('dispatch'), [arnOfFn('job-ops')]: viaBundle('job-ops') },
  });
  sfnApi = await startSfnApi(engine);

  for (const [, r] of Object.entries(stateless.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const p = r.Properties ?? {};
    const hash = String(p.Code?.S3Key ?? '').replace(/\.zip$/, '');
    const dir = assets.files[hash]?.source.path;
    const [file, exportName] = String(p.Handler).split('.');
    if (!dir || !file || !exportName) throw new Error(`${p.FunctionName}: no bundle in cdk.out`);
    const vars = Object.fromEntries(
      Object.entries(p.Environment?.Variables ?? {}).map(([k, v]) => [k, resolve(v)]),
    );
    const name = String(p.FunctionName).replace(/^rackops-/, '');
    fns.set(name, {
      name,
      bundle: join(CDK_OUT, dir, `${file}.mjs`),
      exportName,
      env: {
        PATH: process.env.PATH ?? '',
        ...vars,
        AWS_REGION: 'local',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_LAMBDA_FUNCTION_NAME: String(p.FunctionName),
        AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
        AWS_ENDPOINT_URL_SQS: sqsEmu.endpoint,
        AWS_ENDPOINT_URL_SFN: sfnApi.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        AWS_ENDPOINT_URL_SCHEDULER: scheduler.endpoint,
        LOG_LEVEL: 'silent',
      },
    });
  }
  commandsQueueUrl = fns.get('dispatch')?.env.COMMANDS_QUEUE_URL ?? '';
}, 600_000);

afterAll(async () => {
  await sfnApi?.close();
  await engine?.stop();
  await secrets?.close();
  await scheduler?.close();
  await botFramework?.close();
  sqs?.destroy();
  await sqsEmu?.close();
  await dynalite?.close();
  rmSync(tmp, { recursive: true, force: true });
  // Say how many functions were checked (the bundle bench reports the same number).
  console.log(
    JSON.stringify({
      entries_checked: [...invoked].filter(([, c]) => c.ok > 0 && c.failed > 0).length,
      functions: fns.size,
    }),
  );
});

const store = () => createDynamoStore({ client: dynalite.client(), tableName });
const orchestrator = () =>
  createSfnOrchestrator({
    client: new SFNClient({
      endpoint: sfnApi.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    }),
    stateMachineArns: stateMachineArnsFromEnv(fns.get('claim')?.env ?? {}),
  });
const actor = { kind: 'user' as const, id: 'u-entries', name: 'Entries' };

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what}; bundle errors: ${engineErrors.join(' | ') || 'none'}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('every Lambda entry module, as bundled, with the template environment', () => {
  it('the template deploys the functions the test knows', () => {
    expect([...fns.keys()].sort()).toEqual(
      expect.arrayContaining(['claim', 'dispatch', 'execution-status', 'job-ops', 'reconcile', 'result']),
    );
  });

  it('a workflow through the deployed code: SFN API -> dispatch bundle (SQS) -> result bundle (SQS batch with a partial failure) -> token answered', async () => {
    const jobId = `entries-${randomBytes(4).toString('hex')}`;
    await recordPowerJob(store(), jobId, 'ENTR001');
    const started = await startJob(
      { store: store(), orchestrator: orchestrator(), clock: systemClock },
      jobId,
      actor,
    );
    expect(started?.status).toBe('running');
    const command = await until('a signed command on the commands queue', async () => {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: commandsQueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      const envs = (out.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}') as Envelope);
      return envs.find((e) => e.jobId === jobId);
    });
    expect(command.taskToken).toBeTruthy();
    const batch = sqsBatch(signRelayMessage(resultFor(command), relayKey), '{"not":"a relay message"');
    const [res] = await invoke('result', [batch]);
    expect(res?.ok).toBe(true);
    // The malformed record is the only failure reported; the good one answered its token.
    const failures = (res as { value: { batchItemFailures: { itemIdentifier: string }[] } }).value
      .batchItemFailures;
    expect(failures.map((f) => f.itemIdentifier)).not.toContain('m-0');
    const job = await until('the job to finish', async () => {
      const j = await store().getJob(jobId);
      return j && ['completed', 'failed'].includes(j.status) ? j : undefined;
    });
    expect(job.status).toBe('completed');
    // Failure inputs: a payload naming no job; not an SQS batch at all.
    const [badDispatch] = await invoke('dispatch', [{ jobId: 'no-such-job', taskToken: 'x' }]);
    expect(badDispatch?.ok).toBe(false);
    const [badResult] = await invoke('result', [{ hello: 'world' }]);
    expect(badResult?.ok).toBe(false);
  }, 180_000);

  it('job-ops: a bad op is refused (its good calls ran inside the workflow above)', async () => {
    const [bad] = await invoke('job-ops', [{ op: 'no-such-op', jobId: 'x' }]);
    expect(bad?.ok).toBe(false);
  }, 60_000);

  it('claim: a Scheduler invocation starts an inventory sync through the SFN API; a malformed one is refused', async () => {
    const { target } = inventoryScheduleFor('vcenter', `vc-entries-${randomBytes(2).toString('hex')}`);
    const [ok, bad] = await invoke('claim', [target, { kind: 'nonsense' }]);
    expect(ok?.ok).toBe(true);
    expect(bad?.ok).toBe(false);
  }, 60_000);

  it('execution-status: an EventBridge execution-status event fails the job its dead execution left running', async () => {
    const jobId = `entries-dead-${randomBytes(4).toString('hex')}`;
    await recordPowerJob(store(), jobId, 'ENTR002');
    const started = await startJob(
      { store: store(), orchestrator: orchestrator(), clock: systemClock },
      jobId,
      actor,
    );
    const executionArn = started?.executionId ?? '';
    await orchestrator().stopExecution(executionArn, 'test: stopped');
    const event = {
      version: '0',
      id: randomBytes(8).toString('hex'),
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'local',
      resources: [executionArn],
      detail: {
        executionArn,
        name: jobId,
        status: 'ABORTED',
        stateMachineArn: executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, ''),
      },
    };
    const [ok, bad] = await invoke('execution-status', [event, { source: 'aws.states', detail: {} }]);
    expect(ok?.ok).toBe(true);
    expect(bad?.ok).toBe(false);
    expect((await store().getJob(jobId))?.status).toBe('failed');
  }, 60_000);

  it('reconcile: the daily event creates the schedules in the local Scheduler; another event is refused', async () => {
    const [ok, bad] = await invoke('reconcile', [
      { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} },
      { source: 'elsewhere' },
    ]);
    expect(ok?.ok, JSON.stringify(ok)).toBe(true);
    expect(bad?.ok).toBe(false);
    // It wrote through the Scheduler API, in the group, targeting the claim Lambda with the scheduler role.
    const group = fns.get('reconcile')?.env.SCHEDULE_GROUP_NAME;
    expect([...scheduler.state.keys()].every((k) => k.startsWith(`${group}/`))).toBe(true);
    for (const s of scheduler.state.values()) {
      expect(s).toMatchObject({
        Target: {
          Arn: fns.get('reconcile')?.env.CLAIM_FUNCTION_ARN,
          RoleArn: fns.get('reconcile')?.env.SCHEDULER_ROLE_ARN,
        },
      });
    }
  }, 60_000);

  it('bot: a valid Bot Framework token gets an answer at the Bot Connector; none, a forged or an expired one 401; a malformed body 400', async () => {
    const serviceUrl = `${botFramework.endpoint}/`;
    const activity = {
      type: 'message',
      id: 'act-1',
      text: 'help',
      channelId: 'msteams',
      serviceUrl,
      from: { id: '29:oper', name: 'Olga Operator', aadObjectId: 'aad-oper' },
      recipient: { id: `28:${APP_ID}`, name: 'RackOps' },
      conversation: { id: 'a:conv-entries', conversationType: 'personal' },
    };
    const url = (headers: Record<string, string>, body: string) => ({
      version: '2.0',
      rawPath: '/api/messages',
      headers: { 'content-type': 'application/json', ...headers },
      requestContext: { http: { method: 'POST', path: '/api/messages' } },
      body,
      isBase64Encoded: false,
    });
    const token = botFramework.token(APP_ID, serviceUrl);
    const forged = `${token.slice(0, -8)}AAAAAAAA`;
    const expired = botFramework.token(APP_ID, serviceUrl, { expiresInS: -3600 });
    const otherApp = botFramework.token('00000000-0000-4000-8000-0000000000ff', serviceUrl);
    const body = JSON.stringify(activity);
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    const [valid, noToken, badSig, old, wrongApp, bad] = await invoke('bot', [
      url(bearer(token), body),
      url({}, body),
      url(bearer(forged), body),
      url(bearer(expired), body),
      url(bearer(otherApp), body),
      url(bearer(token), '{'),
    ]);
    expect(valid, JSON.stringify(valid)).toMatchObject({ ok: true, value: { statusCode: 200 } });
    for (const refused of [noToken, badSig, old, wrongApp])
      expect(refused, JSON.stringify(refused)).toMatchObject({ ok: true, value: { statusCode: 401 } });
    expect(bad).toMatchObject({ ok: true, value: { statusCode: 400 } });
    // The answer went to the Bot Connector named in the activity, as a reply in that conversation.
    const replies = botFramework.sent.filter((s) => s.path.startsWith('/v3/conversations/a%3Aconv-entries/'));
    expect(replies.map((r) => JSON.stringify(r.activity)).join('\n')).toMatch(/update cluster/);
  }, 60_000);
});
