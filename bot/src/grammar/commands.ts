import { CredentialsRef, outboundUrl } from '@rackops/core/net/outbound-url';
import { NOTIFICATION_KINDS } from '@rackops/core/notifications/events';
import { ChannelName, EmailAddress } from '@rackops/core/notifications/settings';
import { z } from 'zod';
import { type Def, def, name, none } from './def';
import { FAILOVER_COMMANDS } from './failover-grammar';
import { PROTECTION_COMMANDS } from './protection-grammar';
import { SCP_COMMANDS } from './scp-commands';
import { WINDOW_COMMANDS } from './window-grammar';
import { type UsageSpec, parseUsage } from './usage';

const jobId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[0-9A-Za-z-]+$/, 'not a job id');
const hostId = name;
/** What a rollout does about failures, stale iDRAC jobs and blockers (job params, shown on the job card). */
const POLICY_ARGS = {
  'continue-on-failure': z.boolean().optional(),
  'stale-jobs': z.enum(['clear', 'fail']).optional(),
  blockers: z.enum(['pause', 'skip', 'fail']).optional(),
};
/** `7d`, `12h`, `2026-12-01` or an ISO time: checked again (and explained) by the audit command. */
const auditTime = z.string().min(2).max(40);

/** Power actions operators may ask for, by their Redfish ResetType names, plus friendly aliases. */
export const POWER_ACTIONS = {
  on: 'On',
  off: 'GracefulShutdown',
  'force-off': 'ForceOff',
  restart: 'GracefulRestart',
  'force-restart': 'ForceRestart',
  'power-cycle': 'PowerCycle',
} as const;
export type PowerAlias = keyof typeof POWER_ACTIONS;

export const COMMANDS = {
  help: def({
    usage: 'help [COMMAND] [SUB]',
    summary: 'list commands, or explain one',
    examples: ['help', 'help update cluster'],
    role: 'viewer',
    args: z.object({ command: z.string().max(40).optional(), sub: z.string().max(40).optional() }),
  }),
  status: def({
    usage: 'status',
    summary: 'relay agents online, active jobs, approvals waiting',
    examples: ['status'],
    role: 'viewer',
    args: none,
  }),
  health: def({
    usage: 'health [TARGET]',
    summary:
      'fleet health: relay agents, relay queues, stuck jobs, inventory age, servers and their hardware worst first (or one cluster or host)',
    examples: ['health', 'health lab-a', 'health ABC1234'],
    details:
      'TARGET is a cluster (name or id) or a host (service tag or name); `health cluster NAME` and `health host ID` ' +
      'say which when both could match. A running job with no progress for 30 min, or a pending one 10 min past its ' +
      'start (not waiting for approval), is stuck; an inventory older than 2 h is stale. Server health is what the ' +
      'last inventory sync read from iDRAC or OME; hardware is the last `inventory.health` read (see `help health host`). ' +
      'The fleet also shows the relay queues: too many commands waiting is a warning, any message in a dead-letter ' +
      "queue is critical. Every threshold is the bot config's `health` object. The answer is a card: servers by state, " +
      'the checks, a row per server worst first (system, processors, memory, storage, power, fans, iDRAC reachability ' +
      'and certificate expiry) and, behind a button, its recent critical/warning SEL and Lifecycle Controller log ' +
      "entries: history the iDRAC keeps, not counted in the server's state (that is its rollups now).",
    role: 'viewer',
    args: z.object({ target: name.optional() }),
  }),
  healthCluster: def({
    usage: 'health cluster NAME',
    summary: "one cluster's health: its hosts' servers and its jobs",
    examples: ['health cluster lab-a'],
    role: 'viewer',
    args: z.object({ name }),
  }),
  healthHost: def({
    usage: 'health host ID [refresh]',
    summary: "one host's health: its server's hardware, its jobs (`refresh`: read the hardware now)",
    examples: ['health host ABC1234', 'health host ABC1234 refresh'],
    details:
      "Hardware is the server's last `inventory.health` read: Redfish health rollups (system, processors, memory, " +
      'storage, power, fans, temperature), the newest critical and warning SEL and Lifecycle Controller log entries, ' +
      'and the iDRAC certificate expiry. `refresh` (operator) reads it again now, as a job with its own card; a ' +
      'server that turns critical raises `host_unhealthy` (`notify … on host_unhealthy`).',
    role: 'viewer',
    args: z.object({ id: hostId, refresh: z.boolean().optional() }),
  }),
  inventorySync: def({
    usage: 'inventory sync [SOURCE] [NAME]',
    summary: 'refresh the inventory from OME and/or vCenter',
    examples: ['inventory sync', 'inventory sync vcenter vc-lab', 'inventory sync ome ome-lab'],
    details:
      'Without arguments every known source is synced. SOURCE is `ome` or `vcenter`. With a vCenter, the hardware health (`inventory.health`) of each of its known hosts is read too, for `health`.',
    role: 'operator',
    args: z.object({ source: z.enum(['ome', 'vcenter']).optional(), name: name.optional() }),
  }),
  hosts: def({
    usage: 'hosts CLUSTER',
    summary: 'the hosts of a cluster with state and maintenance mode',
    examples: ['hosts lab-a'],
    role: 'viewer',
    args: z.object({ cluster: name }),
  }),
  server: def({
    usage: 'server TAG',
    summary: 'one Dell server by service tag: model, power, firmware',
    examples: ['server ABC1234'],
    role: 'viewer',
    args: z.object({ tag: name }),
  }),
  compliance: def({
    usage: 'compliance CLUSTER',
    summary: 'firmware compliance of a cluster against the catalog',
    examples: ['compliance lab-a'],
    role: 'viewer',
    args: z.object({ cluster: name }),
  }),
  updateCluster: def({
    usage:
      'update cluster NAME [at TIME] [batch N] [dry-run] [continue-on-failure] [stale-jobs MODE] [blockers POLICY]',
    summary: 'rolling firmware update of a cluster',
    examples: [
      'update cluster lab-a',
      'update cluster lab-a at 2026-12-01T02:00Z batch 2',
      'update cluster lab-a dry-run',
      'update cluster lab-a continue-on-failure stale-jobs clear blockers skip',
    ],
    details:
      "Checks run when the job starts. It pauses with a card if VMs block maintenance mode (`blockers pause`, the default; `blockers skip` leaves such hosts out, `blockers fail` stops). A failed host stops the later batches unless `continue-on-failure`. Old iDRAC jobs in a host's queue fail its preflight unless `stale-jobs clear`. Production clusters need a second person with the approver role to approve first.",
    role: 'operator',
    args: z.object({
      name,
      at: z.string().max(40).optional(),
      batch: z.coerce.number().int().positive().max(64).optional(),
      'dry-run': z.boolean().optional(),
      ...POLICY_ARGS,
    }),
  }),
  updateHost: def({
    usage: 'update host ID [continue-on-failure] [stale-jobs MODE] [blockers POLICY]',
    summary: 'firmware update of one host (service tag or name)',
    examples: ['update host ABC1234'],
    role: 'operator',
    args: z.object({ id: hostId, ...POLICY_ARGS }),
  }),
  clusterPolicy: def({
    usage: 'cluster NAME ACTION...',
    summary: "a cluster's rollout policy defaults: `show`, or `set POLICY=VALUE …` (admin)",
    examples: [
      'cluster lab-a set blockers=skip stale-jobs=clear',
      'cluster lab-a show',
      'cluster lab-a set continue-on-failure=on',
      'cluster lab-a set blockers=default',
    ],
    details:
      'ACTION is `show`, or `set` followed by POLICY=VALUE words: `continue-on-failure=on|off`, ' +
      '`stale-jobs=clear|fail`, `blockers=pause|skip|fail`; `default` unsets one. `update cluster` and ' +
      "`update host` of the cluster's hosts use them for every policy the command does not name; the job card " +
      'shows what applied. Setting needs the admin role; one bad word changes nothing.',
    role: 'viewer',
    args: z.object({ name, action: z.string().min(1).max(500) }),
  }),
  jobs: def({
    usage: 'jobs [STATUS]',
    summary: 'recent jobs, or jobs in one status',
    examples: ['jobs', 'jobs running'],
    role: 'viewer',
    args: z.object({
      status: z.enum(['pending', 'running', 'paused', 'completed', 'failed', 'cancelled']).optional(),
    }),
  }),
  job: def({
    usage: 'job ID',
    summary: 'one job with its progress card',
    examples: ['job 01J0ABCDEF...'],
    role: 'viewer',
    args: z.object({ id: jobId }),
  }),
  audit: def({
    usage: 'audit [since WHEN] [before TIME]',
    summary: 'who did what, newest first, as a paged card (everyone; job, person or cluster below)',
    examples: ['audit', 'audit since 30d'],
    details:
      'WHEN is a span back from now (`12h`, `7d`) or a date (`2026-12-01`); the default is 7 days; `before TIME` ends the range earlier. The answer is a card of 20 events a page, newest first, with Older / Newer buttons (approver or admin).',
    role: 'approver',
    args: z.object({ since: auditTime.optional(), before: auditTime.optional() }),
  }),
  auditJob: def({
    usage: 'audit job ID [since WHEN] [before TIME]',
    summary: "one job's audit trail",
    examples: ['audit job 01J0ABCDEF...'],
    role: 'approver',
    args: z.object({ id: jobId, since: auditTime.optional(), before: auditTime.optional() }),
  }),
  auditPerson: def({
    usage: 'audit person NAME [since WHEN] [before TIME]',
    summary: 'what one person did (display name in quotes, or id)',
    examples: ['audit person "Olga Operator" since 30d'],
    role: 'approver',
    args: z.object({
      name: z.string().min(1).max(200),
      since: auditTime.optional(),
      before: auditTime.optional(),
    }),
  }),
  auditCluster: def({
    usage: 'audit cluster NAME [since WHEN] [before TIME]',
    summary: "what was done to a cluster's jobs",
    examples: ['audit cluster lab-a'],
    role: 'approver',
    args: z.object({ name, since: auditTime.optional(), before: auditTime.optional() }),
  }),
  approvals: def({
    usage: 'approvals',
    summary: 'jobs waiting for a four-eyes approval',
    examples: ['approvals'],
    role: 'viewer',
    args: none,
  }),
  cancel: def({
    usage: 'cancel ID [mode:graceful|now]',
    summary:
      'cancel a job (graceful: finish hosts in flight; now: stop at the next step); HA is restored either way',
    examples: ['cancel 01J0ABCDEF...', 'cancel 01J0ABCDEF... now'],
    role: 'operator',
    args: z.object({ id: jobId, mode: z.enum(['graceful', 'now']).default('graceful') }),
  }),
  resume: def({
    usage: 'resume ID [force]',
    summary: 'show the blocker card of a paused job again; `force` resumes without a resolution (admin)',
    examples: ['resume 01J0ABCDEF...'],
    role: 'operator',
    args: z.object({ id: jobId, force: z.boolean().optional() }),
  }),
  power: def({
    usage: 'power HOST ACTION',
    summary: `power a host: ${Object.keys(POWER_ACTIONS).join(', ')} (asks for confirmation)`,
    examples: ['power ABC1234 restart'],
    role: 'operator',
    args: z.object({
      host: hostId,
      action: z.enum(Object.keys(POWER_ACTIONS) as [PowerAlias, ...PowerAlias[]]),
    }),
  }),
  mediaMount: def({
    usage: 'media mount HOST URL [login NAME]',
    summary: 'mount an ISO on the virtual CD (asks for confirmation)',
    examples: [
      'media mount ABC1234 https://repo.lab/esxi.iso',
      'media mount ABC1234 nfs://nas1.dc1/isos/esxi.iso login nas-iso',
    ],
    details:
      'URL: https, or nfs/cifs to a share the relay agent allows (media.allowHosts); never a password in the URL — ' +
      '`login NAME` names credentials kept by the relay agent (media.credentials.NAME).',
    role: 'operator',
    args: z.object({
      host: hostId,
      url: outboundUrl('virtual-media'),
      login: CredentialsRef.optional(),
    }),
  }),
  mediaEject: def({
    usage: 'media eject HOST',
    summary: 'eject the virtual CD (asks for confirmation)',
    examples: ['media eject ABC1234'],
    role: 'operator',
    args: z.object({ host: hostId }),
  }),
  ...SCP_COMMANDS,
  ...WINDOW_COMMANDS,
  ...PROTECTION_COMMANDS,
  ...FAILOVER_COMMANDS,
  notify: def({
    usage: 'notify [CHANNEL] [MODE] [KINDS] [cluster NAME]',
    summary: 'notification settings: show them, or switch event kinds on/off for a channel',
    examples: [
      'notify',
      'notify cluster lab-a',
      'notify email on job_paused,job_failed cluster lab-a',
      'notify channel off all',
    ],
    details:
      "CHANNEL: conversation (the job's chat), channel (the Teams channel webhook) or email. MODE: on|off. " +
      `KINDS: comma-separated, \`all\`, or any of ${NOTIFICATION_KINDS.join(', ')} (\`paused\` for \`job_paused\`). ` +
      'With `cluster NAME` the change is for that cluster only (it wins over the global setting). ' +
      "Roles: anyone may look; a cluster's settings need **operator**, global ones and e-mail addresses **admin**.",
    role: 'viewer',
    args: z
      .object({
        channel: ChannelName.optional(),
        mode: z.enum(['on', 'off']).optional(),
        kinds: z.string().min(1).max(400).optional(),
        cluster: name.optional(),
      })
      .refine((a) => (a.channel === undefined) === (a.mode === undefined && a.kinds === undefined), {
        message: 'give CHANNEL, on|off and KINDS together (or none of them to show the settings)',
        path: ['channel'],
      })
      .refine((a) => a.channel === undefined || (a.mode !== undefined && a.kinds !== undefined), {
        message: 'give on|off and KINDS after the channel',
        path: ['mode'],
      }),
  }),
  notifyEmailAdd: def({
    usage: 'notify email add ADDRESS [cluster NAME]',
    summary: 'send e-mail notifications to an address (globally, or for one cluster)',
    examples: [
      'notify email add oncall@example.com',
      'notify email add vmware-team@example.com cluster lab-a',
    ],
    details: 'Which kinds are e-mailed: `notify email on KINDS`. Needs **admin**.',
    role: 'admin',
    args: z.object({ address: EmailAddress, cluster: name.optional() }),
  }),
  notifyEmailRemove: def({
    usage: 'notify email remove ADDRESS [cluster NAME]',
    summary: 'stop e-mailing an address',
    examples: ['notify email remove oncall@example.com'],
    role: 'admin',
    args: z.object({ address: EmailAddress, cluster: name.optional() }),
  }),
  notifyLog: def({
    usage: 'notify log [ID]',
    summary: 'recent notification deliveries and failures, or those of one job',
    examples: ['notify log', 'notify log 01J0ABCDEF...'],
    role: 'viewer',
    args: z.object({ id: jobId.optional() }),
  }),
};

export type CommandName = keyof typeof COMMANDS;
export type ArgsOf<N extends CommandName> = z.infer<(typeof COMMANDS)[N]['args']>;

export interface CompiledCommand {
  name: CommandName;
  spec: UsageSpec;
  def: Def<z.ZodType>;
}

/** Longest command words first, so `update cluster` wins over a hypothetical `update`. */
export const COMPILED: readonly CompiledCommand[] = (Object.keys(COMMANDS) as CommandName[])
  .map((n) => ({ name: n, spec: parseUsage(COMMANDS[n].usage), def: COMMANDS[n] as Def<z.ZodType> }))
  .sort((a, b) => b.spec.words.length - a.spec.words.length);

/** A command's words without its arguments (`update cluster`), as refusals and "not available" name it. */
export function commandWords(name: CommandName): string {
  return COMPILED.find((c) => c.name === name)?.spec.words.join(' ') ?? name;
}
