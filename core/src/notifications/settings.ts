import { z } from 'zod';
import type { NotificationKind } from '../ports/notifier.port';
import type { RecordStore } from '../ports/record-store.port';
import { ConflictError } from '../util/errors';
import { NOTIFICATION_KINDS, NotificationKindSchema } from './events';

/** The channels an event can go to: the job's Teams conversation, a Teams channel (Workflows webhook), e-mail. */
export const CHANNELS = ['conversation', 'channel', 'email'] as const;
export const ChannelName = z.enum(CHANNELS);
export type ChannelName = z.infer<typeof ChannelName>;

export const EmailAddress = z.string().trim().toLowerCase().max(254).pipe(z.email());

const Kinds = z.array(NotificationKindSchema).max(NOTIFICATION_KINDS.length).default([]);
const PerChannel = z
  .object({ conversation: Kinds, channel: Kinds, email: Kinds })
  .default({ conversation: [], channel: [], email: [] });

/** One scope's settings: global, or one cluster's (which wins over global, `off` over `on`). */
export const NotificationScopeSettings = z.object({
  on: PerChannel,
  off: PerChannel,
  emails: z.array(EmailAddress).max(50).default([]),
});
export type NotificationScopeSettings = z.infer<typeof NotificationScopeSettings>;

export const SETTINGS_RECORD = 'notify-settings';
export const GLOBAL_SCOPE = 'global';
export const clusterScope = (clusterId: string): string => `cluster:${clusterId}`;

/**
 * Without settings: the job's conversation hears about every event of its job (what the chat always did);
 * channel and e-mail are opt-in (`notify channel on ...`, `notify email on ...`).
 */
export const DEFAULT_ON: Readonly<Record<ChannelName, readonly NotificationKind[]>> = {
  conversation: NOTIFICATION_KINDS,
  channel: [],
  email: [],
};

export const emptyScope = (): NotificationScopeSettings => NotificationScopeSettings.parse({});

export async function loadScope(store: RecordStore, scope: string): Promise<NotificationScopeSettings> {
  const rec = await store.getRecord<unknown>(SETTINGS_RECORD, scope);
  const parsed = NotificationScopeSettings.safeParse(rec?.data ?? {});
  return parsed.success ? parsed.data : emptyScope();
}

export async function saveScope(
  store: RecordStore,
  scope: string,
  data: NotificationScopeSettings,
): Promise<void> {
  await store.putRecord({ type: SETTINGS_RECORD, id: scope, data: NotificationScopeSettings.parse(data) });
}

export interface EffectiveSettings {
  global: NotificationScopeSettings;
  cluster?: NotificationScopeSettings;
}

export async function loadEffective(
  store: RecordStore,
  clusterId: string | undefined,
): Promise<EffectiveSettings> {
  const [global, cluster] = await Promise.all([
    loadScope(store, GLOBAL_SCOPE),
    clusterId ? loadScope(store, clusterScope(clusterId)) : Promise.resolve(undefined),
  ]);
  return cluster ? { global, cluster } : { global };
}

/** Is `kind` sent on `channel`? The cluster's off/on first, then the global off/on, then the default. */
export function isEnabled(s: EffectiveSettings, channel: ChannelName, kind: NotificationKind): boolean {
  for (const scope of [s.cluster, s.global]) {
    if (!scope) continue;
    if (scope.off[channel].includes(kind)) return false;
    if (scope.on[channel].includes(kind)) return true;
  }
  return DEFAULT_ON[channel].includes(kind);
}

/** E-mail recipients: the cluster's and the global list, once each. */
export const emailRecipients = (s: EffectiveSettings): string[] => [
  ...new Set([...(s.cluster?.emails ?? []), ...s.global.emails]),
];

/** `on`/`off` for some kinds in one scope: the opposite list loses them, so the last word wins. */
export function switchKinds(
  scope: NotificationScopeSettings,
  channel: ChannelName,
  mode: 'on' | 'off',
  kinds: readonly NotificationKind[],
): NotificationScopeSettings {
  const other = mode === 'on' ? 'off' : 'on';
  const add = [...new Set([...scope[mode][channel], ...kinds])];
  const rest = scope[other][channel].filter((k) => !kinds.includes(k));
  return {
    ...scope,
    [mode]: { ...scope[mode], [channel]: add },
    [other]: { ...scope[other], [channel]: rest },
  } as NotificationScopeSettings;
}

/**
 * Change one scope's settings without losing a concurrent change (two people typing `notify` at once): read,
 * change, write on the read version, again on a conflict.
 */
export async function updateScope(
  store: RecordStore,
  scope: string,
  change: (s: NotificationScopeSettings) => NotificationScopeSettings,
): Promise<{ before: NotificationScopeSettings; after: NotificationScopeSettings }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const rec = await store.getRecord<unknown>(SETTINGS_RECORD, scope);
    const parsed = NotificationScopeSettings.safeParse(rec?.data ?? {});
    const before = parsed.success ? parsed.data : emptyScope();
    const after = NotificationScopeSettings.parse(change(before));
    const input = { type: SETTINGS_RECORD, id: scope, data: after };
    try {
      const written = await store.putRecord(input, rec ? { ifVersion: rec.version } : { ifAbsent: true });
      if (written === 'written') return { before, after };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new ConflictError('the notification settings changed while saving; try again');
}
