import { failover } from './failover-command';
import { failoverTest } from './failover-test-command';
import { RackOpsError } from '@rackops/core/util/errors';
import { COMMANDS, commandWords } from '../grammar/commands';
import { helpAll, helpFor } from '../grammar/help';
import { audit } from './audit-command';
import { clusterPolicy } from './cluster-policy-command';
import { health, healthRefresh } from './health-command';
import { type ParsedCommand, parseCommand } from '../grammar/parse';
import { hasRole, refusal } from '../rbac';
import type { Turn } from '../runtime';
import * as jobCmd from './job-commands';
import * as notifyCmd from './notify-commands';
import * as pgChange from './protection-changes';
import * as pgCmd from './protection-commands';
import * as query from './query-commands';
import * as scp from './scp-commands';
import { say } from './reply';

/**
 * Maintenance windows (and luxon's time zones with them) are a chunk of their own in the bot's bundle
 * (infra/src/bundling.ts `splitting`): a container loads it with its first window command or card.
 */
const win = () => import('./window-commands');

async function run(turn: Turn, cmd: ParsedCommand): Promise<string> {
  switch (cmd.name) {
    case 'help': {
      const words = [cmd.args.command, cmd.args.sub].filter((w): w is string => !!w);
      await say(turn, words.length ? helpFor(words) : helpAll());
      return 'ok';
    }
    case 'status':
      return query.status(turn);
    case 'health':
      return health(turn, cmd.args.target ? { kind: 'either', id: cmd.args.target } : undefined);
    case 'healthCluster':
      return health(turn, { kind: 'cluster', id: cmd.args.name });
    case 'healthHost':
      if (cmd.args.refresh) return healthRefresh(turn, cmd.args.id);
      return health(turn, { kind: 'host', id: cmd.args.id });
    case 'hosts':
      return query.hosts(turn, cmd.args);
    case 'server':
      return query.server(turn, cmd.args);
    case 'compliance':
      return query.compliance(turn, cmd.args);
    case 'jobs':
      return query.jobs(turn, cmd.args);
    case 'job':
      return query.job(turn, cmd.args);
    case 'approvals':
      return query.approvals(turn);
    case 'audit':
      return audit(turn, {}, cmd.args);
    case 'auditJob':
      return audit(turn, { job: cmd.args.id }, cmd.args);
    case 'auditPerson':
      return audit(turn, { person: cmd.args.name }, cmd.args);
    case 'auditCluster':
      return audit(turn, { cluster: cmd.args.name }, cmd.args);
    case 'inventorySync':
      return jobCmd.inventorySync(turn, cmd.args);
    case 'updateCluster':
      return jobCmd.updateCluster(turn, cmd.args);
    case 'updateHost':
      return jobCmd.updateHost(turn, cmd.args);
    case 'clusterPolicy':
      return clusterPolicy(turn, cmd.args);
    case 'cancel':
      return jobCmd.cancel(turn, cmd.args);
    case 'resume':
      return jobCmd.resume(turn, cmd.args);
    case 'power':
      return jobCmd.power(turn, cmd.args);
    case 'mediaMount':
      return jobCmd.mediaMount(turn, cmd.args);
    case 'mediaEject':
      return jobCmd.mediaEject(turn, cmd.args);
    case 'scpExport':
      return jobCmd.scpExport(turn, cmd.args);
    case 'backups':
      return scp.backups(turn, cmd.args);
    case 'scpDiff':
      return scp.scpDiff(turn, cmd.args);
    case 'scpRestore':
      return scp.scpRestore(turn, cmd.args);
    case 'windows':
      return (await win()).windows(turn);
    case 'window':
      return (await win()).windowShow(turn, cmd.args);
    case 'windowCreate':
      return (await win()).windowCreate(turn, cmd.args);
    case 'windowApprove':
      return (await win()).windowDecide(turn, cmd.args.id, 'approve');
    case 'windowReject':
      return (await win()).windowDecide(turn, cmd.args.id, 'reject');
    case 'windowEdit':
      return (await win()).windowEdit(turn, cmd.args);
    case 'windowSkip':
      return (await win()).windowSkip(turn, cmd.args);
    case 'windowCancel':
      return (await win()).windowCancel(turn, cmd.args);
    case 'notify':
      return notifyCmd.notify(turn, cmd.args);
    case 'notifyEmailAdd':
      return notifyCmd.emailAdd(turn, cmd.args);
    case 'notifyEmailRemove':
      return notifyCmd.emailRemove(turn, cmd.args);
    case 'notifyLog':
      return notifyCmd.log(turn, cmd.args);
    case 'protectionGroups':
    case 'groups':
      return pgCmd.protectionGroups(turn);
    case 'pg':
      return pgCmd.pgShow(turn, cmd.args);
    case 'pgPause':
      return pgCmd.pgSetState(turn, cmd.args.group, 'paused');
    case 'pgResume':
      return pgCmd.pgSetState(turn, cmd.args.group, 'active');
    case 'protect':
    case 'pgCreate':
      return pgCmd.protect(turn, cmd.args);
    case 'pgApprove':
      return pgChange.pgDecide(turn, cmd.args.group, 'approve');
    case 'pgReject':
      return pgChange.pgDecide(turn, cmd.args.group, 'reject', cmd.args.reason);
    case 'pgAddVm':
      return pgChange.pgAddVm(turn, cmd.args);
    case 'pgRemoveVm':
      return pgChange.pgRemoveVm(turn, cmd.args);
    case 'pgEdit':
      return pgChange.pgEdit(turn, cmd.args);
    case 'pgDelete':
      return pgChange.pgDelete(turn, cmd.args);
    case 'replicate':
      return pgCmd.replicate(turn, cmd.args);
    case 'failoverTest':
      return failoverTest(turn, cmd.args);
    case 'failover':
      return failover(turn, cmd.args);
  }
}

/** Parse, check the role, run. Returns what happened, for the audit log. */
export async function handleText(turn: Turn, text: string): Promise<{ command?: string; outcome: string }> {
  const parsed = parseCommand(text);
  if (!parsed.ok) {
    await say(turn, parsed.message);
    return { outcome: 'invalid' };
  }
  const cmd = parsed.command;
  const def = COMMANDS[cmd.name];
  if (!hasRole(turn.role, def.role)) {
    await say(turn, refusal(def.role, turn.role, `\`${commandWords(cmd.name)}\``));
    return { command: cmd.name, outcome: 'refused' };
  }
  try {
    return { command: cmd.name, outcome: await run(turn, cmd) };
  } catch (err) {
    if (err instanceof RackOpsError) {
      await say(turn, `⚠️ ${err.message}`);
      return { command: cmd.name, outcome: err.code };
    }
    throw err;
  }
}
