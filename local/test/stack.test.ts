import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { Job } from '@rackops/core/jobs/job.schema';
import { afterAll, describe, expect, it } from 'vitest';
import { workflowForJobType } from '@rackops/core/workflows/index';
import { aJob } from '../../core/test/job-factory';
import { loadExecution } from '../src/engine/execution-record';
import { type LocalStack, startLocalStack } from '../src/stack';

const alice = { kind: 'user' as const, id: 'u-alice', name: 'Alice' };
const open: LocalStack[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of open) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(opts: Parameters<typeof startLocalStack>[0]): Promise<LocalStack> {
  const stack = await startLocalStack({ timeScale: 1 / 600, ...opts });
  open.push(stack);
  return stack;
}

function portOpen(endpoint: string): Promise<boolean> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve) => {
    const sock = connect({ host: hostname, port: Number(port) });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

async function until(stack: LocalStack, jobId: string, done: (j: Job) => boolean, ms = 20_000): Promise<Job> {
  const deadline = Date.now() + ms;
  for (;;) {
    const job = await stack.store.getJob(jobId);
    if (job && done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} is ${job?.status}; gave up waiting`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const finished = (j: Job) => ['completed', 'failed', 'cancelled'].includes(j.status);

describe('local stack', () => {
  it('starts and stops cleanly: no ports and no temp dir remain', async () => {
    const stack = await start({});
    const { dynamoEndpoint, sqsEndpoint, sfnEndpoint, dataDir } = stack.config;
    expect(await portOpen(dynamoEndpoint)).toBe(true);
    expect(await portOpen(sqsEndpoint)).toBe(true);
    expect(await portOpen(sfnEndpoint)).toBe(true);
    expect(stack.lab).toBeUndefined();
    await stack.stop();
    await stack.stop(); // idempotent
    expect(await portOpen(dynamoEndpoint)).toBe(false);
    expect(await portOpen(sqsEndpoint)).toBe(false);
    expect(await portOpen(sfnEndpoint)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('runs a command round trip: workflow -> dispatch -> queue -> agent -> lab -> results -> task success', async () => {
    const stack = await start({ lab: true });
    const host = stack.lab?.endpoints.idracs[0]?.hostId ?? '';
    const job = await stack.store.createJob(aJob({ type: 'scp_export', target: { kind: 'host', id: host } }));
    const started = await stack.startJob(job.id, alice);
    expect(started?.status).toBe('running');
    const done = await until(stack, job.id, finished);
    expect(done.status).toBe('completed');
    const lines = (await stack.store.listLog(job.id)).items.map((l) => l.message);
    expect(lines.some((l) => l.includes(`sent scp.export to idrac ${host}`))).toBe(true);
    expect(lines.some((l) => l.startsWith('scp.export done'))).toBe(true);
    expect((await stack.store.listSteps(job.id)).find((s) => s.key === 'command')?.status).toBe('completed');
    await expect
      .poll(async () => (await stack.orchestrator.describeExecution(done.executionId ?? ''))?.status)
      .toBe('SUCCEEDED');
    // The stack's orchestrator calls went through the Step Functions API: the SDK lists the execution there.
    const sfn = new SFNClient({
      endpoint: stack.config.sfnEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const listed = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: stack.config.stateMachineArns[workflowForJobType(done.type)] ?? '',
      }),
    );
    sfn.destroy();
    expect(listed.executions?.map((e) => e.executionArn)).toContain(done.executionId);
    expect(stack.agent?.agentId).toBeTruthy();
    await stack.stop();
  });

  it('when the agent dies, the heartbeat timeout fails the step and the job ends: nothing hangs', async () => {
    const stack = await start({ lab: true, minHeartbeatMs: 1000 });
    await stack.agent?.kill();
    expect(stack.agent?.killed).toBe(true);
    const host = stack.lab?.endpoints.idracs[0]?.hostId ?? '';
    const job = await stack.store.createJob(aJob({ type: 'scp_export', target: { kind: 'host', id: host } }));
    await stack.startJob(job.id, alice);
    const done = await until(stack, job.id, finished);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/HeartbeatTimeout/);
    await stack.stop();
  });

  it('a job whose execution ends without finishing it (stopped) is failed, never left running', async () => {
    const stack = await start({ lab: true, agent: false });
    const host = stack.lab?.endpoints.idracs[0]?.hostId ?? '';
    const job = await stack.store.createJob(aJob({ type: 'scp_export', target: { kind: 'host', id: host } }));
    const started = await stack.startJob(job.id, alice);
    await stack.orchestrator.stopExecution(started?.executionId ?? '', 'test stops it');
    const done = await until(stack, job.id, finished);
    expect(done).toMatchObject({ status: 'failed', error: 'the workflow aborted (test stops it)' });
    await stack.stop();
  });

  it('after a restart, a running execution resumes and re-sends its command; an overdue schedule fires', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rackops-stack-test-'));
    dirs.push(dataDir);

    // First life: no agent, so the command sits in the (in-memory) queue and the step waits.
    const first = await start({ lab: true, agent: false, dataDir });
    const host = first.lab?.endpoints.idracs[0]?.hostId ?? '';
    const running = await first.store.createJob(
      aJob({ type: 'scp_export', target: { kind: 'host', id: host } }),
    );
    const started = await first.startJob(running.id, alice);
    const executionId = started?.executionId ?? '';
    await expect
      .poll(async () => (await loadExecution(first.store, executionId))?.checkpoint?.state, {
        timeout: 10_000,
      })
      .toBe('RunCommand');
    // Another host: on the same one, a slow resume (a loaded machine) would still hold it when this one fires.
    const otherHost = first.lab?.endpoints.idracs[1]?.hostId ?? '';
    const scheduled = await first.store.createJob(
      aJob({
        type: 'scp_export',
        target: { kind: 'host', id: otherHost },
        scheduleAt: new Date(Date.now() + 300).toISOString(),
      }),
    );
    await first.scheduler.scheduleAt({
      name: `job-${scheduled.id}`,
      at: scheduled.scheduleAt,
      target: { kind: 'job', jobId: scheduled.id },
    });
    await first.stop();
    await new Promise((r) => setTimeout(r, 400)); // the schedule comes due while nothing runs

    // Second life, same data dir, with the agent.
    const second = await start({ lab: true, dataDir });
    const resumed = await until(second, running.id, finished);
    expect(resumed.status).toBe('completed');
    expect((await loadExecution(second.store, executionId))?.resumes).toBe(1);
    const fired = await until(second, scheduled.id, finished);
    expect(fired.status).toBe('completed');
    await second.stop();
    expect(existsSync(dataDir)).toBe(true); // persistent data dirs are kept
  });
});
