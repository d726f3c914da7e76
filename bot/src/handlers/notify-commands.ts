import { listDeliveries } from '@rackops/core/notifications/delivery-log';
import { NOTIFICATION_KINDS } from '@rackops/core/notifications/events';
import { parseKindWords } from '@rackops/core/notifications/kind-words';
import {
  CHANNELS,
  type ChannelName,
  type EffectiveSettings,
  GLOBAL_SCOPE,
  type NotificationScopeSettings,
  SETTINGS_RECORD,
  clusterScope,
  emailRecipients,
  isEnabled,
  loadEffective,
  loadScope,
  switchKinds,
  updateScope,
} from '@rackops/core/notifications/settings';
import { findCluster, requireCluster } from '@rackops/core/usecases/targets';
import { ValidationError } from '@rackops/core/util/errors';
import type { Role } from '../config';
import type { ArgsOf } from '../grammar/commands';
import { hasRole, refusal } from '../rbac';
import type { Turn } from '../runtime';
import { say } from './reply';

interface Scope {
  key: string;
  /** As people read it: `global` or the cluster's name. */
  label: string;
  clusterId?: string;
  /** A cluster's settings are its operators' business; global ones and e-mail addresses reach further. */
  needs: Role;
}

async function scopeOf(turn: Turn, cluster: string | undefined, needs: Role): Promise<Scope> {
  if (!cluster) return { key: GLOBAL_SCOPE, label: 'global', needs: 'admin' };
  const c = await requireCluster(turn.rt.store, cluster);
  return { key: clusterScope(c.id), label: `cluster ${c.name}`, clusterId: c.id, needs };
}

const list = (kinds: readonly string[]) => (kinds.length ? kinds.join(', ') : '—');

function effectiveLines(s: EffectiveSettings): string[] {
  return CHANNELS.map(
    (ch) => `- **${ch}**: ${list(NOTIFICATION_KINDS.filter((k) => isEnabled(s, ch, k)))}`,
  ).concat(`- **e-mail to**: ${list(emailRecipients(s))}`);
}

function overrideText(s: NotificationScopeSettings): string {
  const parts: string[] = [];
  for (const ch of CHANNELS) {
    if (s.on[ch].length) parts.push(`${ch} on ${s.on[ch].join(',')}`);
    if (s.off[ch].length) parts.push(`${ch} off ${s.off[ch].join(',')}`);
  }
  if (s.emails.length) parts.push(`e-mail to ${s.emails.join(', ')}`);
  return parts.join('; ') || 'nothing set';
}

async function show(turn: Turn, cluster: string | undefined): Promise<string> {
  const store = turn.rt.store;
  if (cluster) {
    const c = await requireCluster(store, cluster);
    const eff = await loadEffective(store, c.id);
    await say(
      turn,
      [
        `**Notifications for cluster ${c.name}** (its own settings win over global):`,
        ...effectiveLines(eff),
      ].join('\n'),
    );
    return 'ok';
  }
  const eff = await loadEffective(store, undefined);
  const lines = ['**Notifications** (global):', ...effectiveLines(eff)];
  const scopes = (await store.listRecordsByType<unknown>(SETTINGS_RECORD, { limit: 100 })).items.filter((r) =>
    r.id.startsWith('cluster:'),
  );
  if (scopes.length) {
    lines.push('', '**Cluster settings**:');
    for (const r of scopes) {
      const id = r.id.slice('cluster:'.length);
      const name = (await findCluster(store, id))?.name ?? id;
      lines.push(`- ${name}: ${overrideText(await loadScope(store, r.id))}`);
    }
  }
  lines.push(
    '',
    'Change: `notify CHANNEL on|off KINDS [cluster NAME]`, `notify email add ADDRESS`; `help notify`.',
  );
  await say(turn, lines.join('\n'));
  return 'ok';
}

async function change(
  turn: Turn,
  scope: Scope,
  what: string,
  fn: (s: NotificationScopeSettings) => NotificationScopeSettings,
): Promise<string> {
  if (!hasRole(turn.role, scope.needs)) {
    await say(turn, refusal(scope.needs, turn.role, `changing the ${scope.label} notification settings`));
    return 'refused';
  }
  const { before, after } = await updateScope(turn.rt.store, scope.key, fn);
  await turn.rt.store.recordAudit({
    actor: turn.actor,
    action: 'notify.settings_changed',
    target: scope.key,
    from: overrideText(before),
    to: overrideText(after),
    detail: { change: what },
  });
  const eff = await loadEffective(turn.rt.store, scope.clusterId);
  await say(turn, [`✅ Notifications (${scope.label}): ${what}. Now:`, ...effectiveLines(eff)].join('\n'));
  return 'ok';
}

export async function notify(turn: Turn, args: ArgsOf<'notify'>): Promise<string> {
  if (!args.channel || !args.mode || !args.kinds) return show(turn, args.cluster);
  const parsed = parseKindWords(args.kinds);
  if (!parsed.ok)
    throw new ValidationError(
      `unknown event kind ${parsed.unknown.map((u) => `\`${u}\``).join(', ') || '(none given)'}; ` +
        `known: all, ${NOTIFICATION_KINDS.join(', ')}. Nothing was changed.`,
    );
  const channel: ChannelName = args.channel;
  const mode = args.mode;
  const scope = await scopeOf(turn, args.cluster, 'operator');
  return change(turn, scope, `${channel} ${mode} ${parsed.kinds.join(', ')}`, (s) =>
    switchKinds(s, channel, mode, parsed.kinds),
  );
}

export async function emailAdd(turn: Turn, args: ArgsOf<'notifyEmailAdd'>): Promise<string> {
  const scope = await scopeOf(turn, args.cluster, 'admin');
  return change(turn, scope, `e-mail to ${args.address} added`, (s) => ({
    ...s,
    emails: [...new Set([...s.emails, args.address])],
  }));
}

export async function emailRemove(turn: Turn, args: ArgsOf<'notifyEmailRemove'>): Promise<string> {
  const scope = await scopeOf(turn, args.cluster, 'admin');
  const current = await loadScope(turn.rt.store, scope.key);
  if (!current.emails.includes(args.address))
    throw new ValidationError(
      `${args.address} is not on the ${scope.label} e-mail list. Nothing was changed.`,
    );
  return change(turn, scope, `e-mail to ${args.address} removed`, (s) => ({
    ...s,
    emails: s.emails.filter((e) => e !== args.address),
  }));
}

const STATUS_ICON = { delivered: '✅', sending: '⏳', dead: '❌' } as const;

export async function log(turn: Turn, args: ArgsOf<'notifyLog'>): Promise<string> {
  const rows = await listDeliveries(turn.rt.store, {
    ...(args.id ? { subject: `job:${args.id}` } : {}),
    limit: 20,
  });
  if (!rows.length) {
    await say(turn, args.id ? `No notifications for job ${args.id}.` : 'No notifications sent yet.');
    return 'ok';
  }
  const lines = rows.map(
    (r) =>
      `- ${STATUS_ICON[r.status]} ${r.at.slice(0, 19).replace('T', ' ')} **${r.kind}** ${r.subject} → ${r.channel} ` +
      `${r.recipient} · ${r.status}${r.attempts > 1 ? ` after ${r.attempts} attempts` : ''}` +
      `${r.error ? ` · ${r.error}` : ''}`,
  );
  const failed = rows.filter((r) => r.status === 'dead').length;
  await say(
    turn,
    [
      `**Notification log**${args.id ? ` of job ${args.id}` : ''} (newest first${failed ? `, ${failed} failed` : ''}):`,
      ...lines,
    ].join('\n'),
  );
  return 'ok';
}
