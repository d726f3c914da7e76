import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupKeys } from '../src/backup-bucket';
import { type AgentProcess, startAgentProcess } from '../src/runtime/agent-process';
import { type ScenarioDriver, startScenario } from '../src/scenarios/driver';
import { agentOptionsFor, hostTags, isDone, labOf } from '../src/scenarios/lab-facts';

describe('SCP backups in the local stack’s S3 bucket (fauxqs): shared by every relay agent', () => {
  let d: ScenarioDriver;
  let other: AgentProcess | undefined;
  const otherDir = mkdtempSync(join(tmpdir(), 'rackops-agent-2-'));
  beforeAll(async () => {
    d = await startScenario();
  }, 180_000);
  afterAll(async () => {
    await other?.stop();
    await d?.close();
    rmSync(otherDir, { recursive: true, force: true });
  });

  it('a backup taken by the stack’s agent is listed and compared by another agent, on another disk', async () => {
    const host = hostTags(labOf(d.stack), 'lab-a')[0] ?? 'LABA001';
    await d.say(`scp export ${host}`);
    const exported = await d.waitForJob('scp_export', isDone, 300_000);
    expect(exported.status, exported.error).toBe('completed');
    const bucket = d.stack.config.backups;
    const keys = await backupKeys(bucket, host);
    const content = keys.find((k) => k.endsWith('.json') && !k.endsWith('.record.json'));
    expect(content, keys.join(', ')).toMatch(new RegExp(`^scp/${host}/${host}-\\d{8}T\\d{6}Z-\\w+\\.json$`));
    const backupId = content?.slice(`scp/${host}/`.length, -'.json'.length) ?? '';

    // The stack's agent goes away; a second agent, in its own process with its own data dir, takes over.
    await d.stack.agent?.stop();
    other = await startAgentProcess({ ...agentOptionsFor(d.stack), agentId: 'relay-local-2', dir: otherDir });
    await d.say(`backups ${host}`);
    const listed = await d.waitForJob('scp_backups', isDone, 300_000);
    expect(listed.status, listed.error).toBe('completed');
    expect(listed.summary).toContain(backupId);
    await d.say(`scp diff ${host} ${backupId}`);
    const diff = await d.waitForJob('scp_diff', isDone, 300_000);
    expect(diff.status, `${diff.error} ${diff.summary}`).toBe('completed');
  }, 600_000);
});
