import { readFileSync } from 'node:fs';
import { createCatalogMatcher, hostCompliance } from '@rackops/core/catalog/catalog-match';
import type { Job } from '@rackops/core/jobs/job.schema';
import type { Store } from '@rackops/core/ports/store.port';
import type { Lab } from '@rackops/lab/index';
import { loadCatalog } from '@rackops/lambdas/handlers/inventory-catalog';
import { RELAY_COMMAND_TYPE, type RelayCommandRecord } from '@rackops/core/relay/relay-command-record';
import type { InProcessAgentOptions } from '../runtime/in-process-agent';
import type { LocalStack } from '../stack';
import type { ScenarioDriver } from './driver';

/** What scenarios check, read from the lab itself (the devices' truth), not from RackOps' own records. */

export const labOf = (stack: LocalStack): Lab => {
  if (!stack.lab) throw new Error('the scenario needs the lab');
  return stack.lab;
};

export const hostTags = (lab: Lab, cluster: string): string[] =>
  [...lab.world.cluster(cluster).hostIds].sort();

export const firmwareOf = (lab: Lab, tag: string): Record<string, string> =>
  Object.fromEntries(lab.world.firmwareComponents(tag).map((c) => [c.fqdd, c.version]));

/**
 * Firmware that only changes with a reboot. Staging (OnReset, on every host before any maintenance mode, DESIGN
 * §7) already applies the components that need no reboot (iDRAC, driver packs) on the lab's iDRACs; a host that
 * was never taken out of service keeps every reboot-bound component as it was.
 */
export const rebootBoundFirmwareOf = (lab: Lab, tag: string): Record<string, string> =>
  Object.fromEntries(
    lab.world
      .firmwareComponents(tag)
      .filter((c) => c.rebootRequired)
      .map((c) => [c.fqdd, c.version]),
  );

export const haOf = (lab: Lab, cluster: string) => ({ ...lab.world.cluster(cluster).ha });

/** Per host: compliant against the lab's catalog, read now, by the same id-based matching RackOps uses. */
export async function complianceOf(lab: Lab, tags: string[]): Promise<Record<string, string>> {
  const url = lab.endpoints.catalogUrl;
  if (!url) throw new Error('the lab serves no catalog');
  const { catalog } = await loadCatalog({ url, ca: lab.tls.ca });
  const matcher = createCatalogMatcher(catalog);
  const out: Record<string, string> = {};
  for (const tag of tags) {
    const fw = lab.world.firmwareComponents(tag).map((c) => ({
      id: c.id,
      name: c.name,
      version: c.version,
      softwareId: c.softwareId,
      fqdd: c.fqdd,
      ...(c.pci ? { pci: c.pci } : {}),
      updateable: c.updateable,
    }));
    out[tag] = hostCompliance(
      matcher,
      { serviceTag: tag, model: 'PowerEdge R750', systemId: 2318 },
      fw,
    ).status;
  }
  return out;
}

export async function relayCommands(store: Store, jobId: string): Promise<RelayCommandRecord[]> {
  const out: RelayCommandRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRecordsByParent<RelayCommandRecord>(RELAY_COMMAND_TYPE, jobId, {
      cursor,
      limit: 500,
    });
    out.push(...page.items.map((r) => r.data));
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** Commands that only read. */
export const READS = new Set([
  'host.state',
  'idrac.lc-status',
  'host.preflight',
  'inventory.idrac',
  'firmware.verify',
  'cluster.scan-blockers',
]);
/** Also changing nothing on a host: an SCP export reads its configuration into an on-prem file. */
const UNCHANGING = new Set([...READS, 'scp.export', 'scp.backups', 'scp.diff']);
/** Commands that change something on a host. */
export const touching = (cmds: RelayCommandRecord[], tag: string): string[] =>
  cmds.filter((c) => c.target?.id === tag && c.kind && !UNCHANGING.has(c.kind)).map((c) => c.kind!);

/**
 * Never out of service: at most staged (firmware.stage, OnReset: nothing runs until a reboot; or firmware that
 * needs no reboot) and un-staged again (idrac.clear-stale-jobs) — no maintenance mode, no reboot, no VM
 * powered off.
 */
const BEFORE_SERVICE = new Set(['firmware.stage', 'idrac.clear-stale-jobs']);
export const notTakenOut = (cmds: RelayCommandRecord[], tag: string): boolean =>
  touching(cmds, tag).every((k) => BEFORE_SERVICE.has(k));

export const poweredOnVms = (lab: Lab, cluster: string): string[] =>
  [...lab.world.vms.values()]
    .filter((v) => v.clusterId === cluster && v.powerState === 'poweredOn')
    .map((v) => v.name)
    .sort();

export const inMaintenance = (lab: Lab, cluster: string): string[] =>
  hostTags(lab, cluster).filter((t) => lab.world.host(t).inMaintenanceMode);

/**
 * Answer the blocker wizard like an operator: the suggested action per VM (power off what cannot move,
 * acknowledge warnings), `skip` hosts ticked, then "Resume job". Reads host indexes from the card itself.
 */
export async function resolveWizard(
  d: ScenarioDriver,
  opts: { skip?: string[]; vmActions?: Record<string, string> } = {},
): Promise<string[]> {
  // The bot re-renders the job card as the wizard when it hears of the pause: give it a moment.
  let text = d.cardText('Resume job');
  for (let i = 0; !text && i < 100; i++) {
    await sleep(100);
    text = d.cardText('Resume job');
  }
  if (!text) throw new Error('no blocker wizard card in the conversation');
  const inputs: Record<string, string> = {};
  for (const tag of opts.skip ?? []) {
    // The host header names "(TAG)"; its skip toggle is the next Input.Toggle.
    const at = text.indexOf(`(${tag})`);
    if (at < 0) throw new Error(`the wizard shows no host ${tag}`);
    const m = /"id":"(h\d+_skip)"/.exec(text.slice(at));
    if (!m?.[1]) throw new Error(`no skip toggle for ${tag}`);
    inputs[m[1]] = 'true';
  }
  for (const [vmName, action] of Object.entries(opts.vmActions ?? {})) {
    // The VM's line names it; its action choice is the next Input.ChoiceSet.
    const at = text.indexOf(`${vmName} —`);
    if (at < 0) continue;
    const m = /"id":"(h\d+_v\d+)"/.exec(text.slice(at));
    if (m?.[1]) inputs[m[1]] = action;
  }
  return d.clickCard('Resume job', 'Resume job', { inputs });
}

export const isDone = (j: Job): boolean => ['completed', 'failed', 'cancelled'].includes(j.status);

/** The operator types `command` (an `update cluster …`); returns the job once it pauses on blockers or ends. */
export async function askForUpdate(d: ScenarioDriver, command: string): Promise<Job> {
  await d.say(command);
  return d.waitForJob('rolling_cluster_update', (j) => j.status === 'paused' || isDone(j), 180_000);
}

/** …and, if it paused, answers the wizard with the suggested actions (the installer VM powered off). */
export async function startUpdatePastBlockers(d: ScenarioDriver, command: string): Promise<Job> {
  const paused = await askForUpdate(d, command);
  if (paused.status === 'paused') await resolveWizard(d, { vmActions: { 'installer-01': 'power_off' } });
  return paused;
}

/**
 * The options of the stack's relay agent (same identity, ledger and cadence), for one started again or in a
 * process of its own: only the lab's endpoints and certificate pin, so it travels as JSON. With `pair`, the
 * options of a second agent on the same queues.
 */
export function agentOptionsFor(
  stack: LocalStack,
  pair?: { agentId: string },
): Omit<InProcessAgentOptions, 'logger'> {
  const c = stack.config;
  const lab = labOf(stack);
  return {
    // A second agent of a pair: its own id and its own ledger (as on another machine).
    ...(pair ? { agentId: pair.agentId } : {}),
    visibilityTimeoutSeconds: c.agentVisibilitySeconds,
    lab: { endpoints: lab.endpoints, tls: { certSha256: lab.tls.certSha256 } },
    sqsEndpoint: c.sqsEndpoint,
    commandsUrl: c.commandsQueueUrl,
    resultsUrl: c.resultsQueueUrl,
    backups: c.backups,
    signingKey: readFileSync(c.relayKeyFile, 'utf8').trim(),
    dir: pair ? `${c.dataDir}/${pair.agentId}` : `${c.dataDir}/relay`,
    timeScale: c.timeScale,
    progressSeconds: c.agentProgressSeconds,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a process (an agent a scenario killed) still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The report's first line and every failed host's line (bounded), for the scenario's JSON. */
export const failureLines = (j: Job): string =>
  (j.error ?? j.summary ?? '')
    .split('\n')
    .filter((l, i) => i === 0 || /FAILED|NOT restored/.test(l))
    .join(' | ')
    .slice(0, 1500);
