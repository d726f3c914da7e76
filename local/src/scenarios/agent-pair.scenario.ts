import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger, type LedgerStatus } from '@rackops/relay-agent/ledger/ledger';
import { type AgentProcess, startAgentProcess } from '../runtime/agent-process';
import { startScenario } from './driver';
import {
  agentOptionsFor,
  complianceOf,
  failureLines,
  isAlive,
  isDone,
  labOf,
  relayCommands,
  sleep,
} from './lab-facts';

const FIRST = 'relay-local';
const SECOND = 'relay-local-b';

/**
 * Runbook: two relay agents, each a process of its own with its own ledger, consume the same commands queue.
 * `status` shows both. An operator updates one host (`update host LABB001`); once that host's reboot has been
 * requested, the agent holding its apply-and-reboot is SIGKILLed. The commands queue's visibility timeout (a
 * third of the heartbeat window) hands the command to the other agent, whose ledger has never seen it: it reads
 * the host's jobs and vCenter state, watches the reboot under way instead of sending another, and the job
 * completes. Checked on the lab: one upload per package, one reboot, the host compliant.
 */
export async function run() {
  const d = await startScenario({ agentProcess: true });
  let second: AgentProcess | undefined;
  try {
    const lab = labOf(d.stack);
    const host = 'LABB001';
    second = await startAgentProcess(agentOptionsFor(d.stack, { agentId: SECOND }));
    const agents = [
      { id: FIRST, ledger: join(d.stack.config.dataDir, 'relay', 'ledger.sqlite'), proc: d.agentProcess },
      { id: SECOND, ledger: join(d.stack.config.dataDir, SECOND, 'ledger.sqlite'), proc: second },
    ];

    // Both agents heartbeat at start: `status` lists them once both heartbeats are in.
    let statusText = '';
    for (let i = 0; i < 100; i++) {
      statusText = (await d.say('status')).join('\n');
      if (statusText.includes(`**${FIRST}**`) && statusText.includes(`**${SECOND}**`)) break;
      await sleep(200);
    }

    const before = await complianceOf(lab, [host]);
    const started = Date.now();
    await d.say(`update host ${host}`);
    const running = await d.waitForJob(
      'firmware_update',
      (j) => j.status === 'running' || isDone(j),
      120_000,
    );
    // Wait for the host's apply-and-reboot to be sent and the reboot to be requested on the lab.
    let commandId: string | undefined;
    const end = Date.now() + 600_000;
    while (Date.now() < end && !isDone(await currentJob())) {
      const cmds = await relayCommands(d.stack.store, running.id);
      commandId = cmds.find((c) => c.kind === 'host.apply-and-reboot' && c.target?.id === host)?.commandId;
      if (commandId && lab.world.tallies.host(host).reboots > 0) break;
      await sleep(100);
    }
    if (!commandId) throw new Error(`no apply-and-reboot for ${host} was sent`);
    // Which agent holds it: the one whose ledger has it in progress.
    const holder = agents.find((a) => ledgerStatus(a.ledger, commandId) === 'in_progress');
    const survivor = agents.find((a) => a !== holder);
    if (!holder?.proc || !survivor) throw new Error(`no agent's ledger holds ${commandId} in progress`);
    const killedPid = holder.proc.pid;
    const killedAt = Date.now();
    await holder.proc.crash();

    const job = await d.waitForJob('firmware_update', isDone, 600_000);
    const tally = lab.world.tallies.host(host);
    const after = await complianceOf(lab, [host]);
    const uploads = Math.max(0, ...Object.values(tally.uploads));
    const statusAfter = (await d.say('status')).join('\n');
    const checks = {
      statusShowsBoth: statusText.includes(`**${FIRST}**`) && statusText.includes(`**${SECOND}**`),
      agentKilled: !isAlive(killedPid),
      takenOver: ledgerStatus(survivor.ledger, commandId) === 'completed',
      jobCompleted: job.status === 'completed',
      wasOutdated: before[host] !== 'compliant',
      hostCompliant: after[host] === 'compliant',
      onceEach: uploads === 1 && tally.reboots === 1,
    };
    return {
      ok: Object.values(checks).every(Boolean),
      // The most times any one firmware package was uploaded to the host, and the host's reboots.
      uploads,
      reboots: tally.reboots,
      packages: Object.keys(tally.uploads).length,
      ...checks,
      killed: holder.id,
      finishedBy: survivor.id,
      statusAfterShowsBoth: statusAfter.includes(`**${FIRST}**`) && statusAfter.includes(`**${SECOND}**`),
      visibilityTimeout_s: d.stack.config.agentVisibilitySeconds,
      finished_after_kill_s: Math.round((Date.now() - killedAt) / 100) / 10,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      ...(job.status !== 'completed' ? { error: failureLines(job) } : {}),
    };
  } finally {
    await second?.stop();
    await d.close();
  }

  async function currentJob() {
    return d.waitForJob('firmware_update', () => true, 10_000);
  }
}

/** The command's status in an agent's ledger (read beside the live agent: SQLite WAL allows it). */
function ledgerStatus(path: string, commandId: string): LedgerStatus | undefined {
  if (!existsSync(path)) return undefined;
  const ledger = new Ledger(path);
  try {
    return ledger.get(commandId)?.status;
  } finally {
    ledger.close();
  }
}
