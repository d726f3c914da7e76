import type { BotConfig, Role } from './config';

export const ROLE_RANK: Record<Role, number> = { viewer: 1, operator: 2, approver: 3, admin: 4 };

/** Who sent an activity, as Teams identifies them. */
export interface ChatIdentity {
  /** Teams user id (`29:...`) or the channel's user id. */
  id: string;
  aadObjectId?: string;
  name?: string;
  /** Every id of the person (from `people`), when known: a role granted to any of them is theirs. */
  ids?: string[];
}

const idsOf = (who: ChatIdentity): string[] =>
  [who.id, who.aadObjectId, ...(who.ids ?? [])].filter((x): x is string => !!x);

export type GroupResolver = (identity: ChatIdentity) => Promise<string[]>;

/** Groups from `groupMembers` in the config. */
export function configGroupResolver(config: BotConfig): GroupResolver {
  return async (who) => {
    const ids = idsOf(who);
    return Object.entries(config.groupMembers)
      .filter(([, members]) => members.some((m) => ids.includes(m)))
      .map(([group]) => group);
  };
}

/** The highest role any of the person's ids or groups grants, or undefined for none. */
export async function roleOf(
  config: BotConfig,
  resolveGroups: GroupResolver,
  who: ChatIdentity,
): Promise<Role | undefined> {
  const ids = idsOf(who);
  const granted: Role[] = [];
  for (const role of Object.keys(config.roles) as Role[]) {
    if (config.roles[role].some((m) => ids.includes(m))) granted.push(role);
  }
  for (const group of await resolveGroups(who)) {
    const role = config.groups[group];
    if (role) granted.push(role);
  }
  if (config.defaultRole !== 'none') granted.push(config.defaultRole);
  return granted.sort((a, b) => ROLE_RANK[b] - ROLE_RANK[a])[0];
}

export function hasRole(actual: Role | undefined, needed: Role): boolean {
  return !!actual && ROLE_RANK[actual] >= ROLE_RANK[needed];
}

export function refusal(needed: Role, actual: Role | undefined, what: string): string {
  return `Not allowed: ${what} needs the **${needed}** role; you have ${actual ? `**${actual}**` : 'no role'}. Ask an admin to add you.`;
}
