import type { BotConfigInput } from '@rackops/bot/config';
import { conversationTag } from '@rackops/bot/cards/card-data';
import { type ChatUser, type TranscriptEntry, cardActions, cardOf } from '@rackops/bot/testing/harness';
import type { Activity } from 'botbuilder';
import type { AttackCatalogue, AttackOutcome } from './attack';
import { type ApprovalsStack, startApprovalsStack } from './approvals-stack';

/**
 * Four-eyes and card binding (issue 18, item 5) against the real bot handlers on the real Store. Generated
 * variants: one person's ids swapped between request and approval, ids missing or belonging to two people,
 * card data moved to another conversation or another card's message, replayed, tampered, unbound, oversize.
 * A case is refused when the Store shows nothing changed and the bot said so.
 */
const AREA = 'approvals';
const VIAS = ['execute', 'submit'] as const;
type Via = (typeof VIAS)[number];
type Json = Record<string, unknown>;

const user = (id: string, name: string, aadObjectId?: string): ChatUser => ({
  id,
  name,
  ...(aadObjectId ? { aadObjectId } : {}),
});
const OLGA = user('29:oper', 'Olga Operator', 'aad-oper');
const ADA = user('29:appr', 'Ada Approver', 'aad-appr');
const ABE = user('29:appr2', 'Abe Approver', 'aad-appr2');
/** One person, four ways a message can name her. */
const MALLORY: Record<string, ChatUser> = {
  'teams+aad': user('29:mal', 'Mallory', 'aad-mal'),
  teams: user('29:mal', 'Mallory'),
  webchat: user('dl-mal', 'Mallory'),
  'webchat+aad': user('dl-mal', 'Mallory', 'aad-mal'),
};

const CONFIG: BotConfigInput = {
  roles: {
    viewer: [],
    operator: ['aad-oper', 'dl-x'],
    approver: ['29:mal', 'dl-mal', 'aad-mal', 'aad-appr', 'aad-appr2', '29:ghost', 'dl-ghost', '8:ghost'],
    admin: [],
  },
  people: [
    { name: 'Mallory', teamsIds: ['29:mal', 'dl-mal'], aadObjectIds: ['aad-mal'] },
    { name: 'Ada Approver', teamsIds: ['29:appr'], aadObjectIds: ['aad-appr'] },
    { name: 'Olga Operator', teamsIds: ['29:oper'], aadObjectIds: ['aad-oper'] },
  ],
  cardSecret: 'bench-approvals-card-secret-0123456789abcdef',
  progressMinIntervalMs: 50,
};

const NOTHING = /Nothing was (changed|done)/;
const textOf = (replies: Partial<Activity>[], invoke?: unknown): string =>
  replies.map((r) => r.text ?? '').join('\n') + (invoke ? JSON.stringify(invoke) : '');
const buttonData = (entry: TranscriptEntry, title: string): Json =>
  structuredClone(cardActions(cardOf(entry.activity)!).find((a) => a.title === title)!.data);

class Attacker {
  private conv = 0;
  readonly out: AttackOutcome[] = [];
  constructor(readonly s: ApprovalsStack) {}

  newConv(): string {
    return `atk-${++this.conv}`;
  }

  private async count(kind: string, id: string): Promise<number> {
    return (await this.s.store.listJobsByTarget(kind, id, { limit: 1000 })).items.length;
  }

  /** A production job waiting for approval, requested by `as`, and its card. */
  async request(as: ChatUser, c = this.newConv()) {
    const before = await this.count('cluster', 'domain-c2');
    await this.s.harness.say(as, 'update cluster prod-a', c);
    const job = (await this.s.store.listJobsByTarget('cluster', 'domain-c2', { limit: 1 })).items[0];
    if (!job || (await this.count('cluster', 'domain-c2')) !== before + 1)
      throw new Error(`setup: ${as.id} could not request a job`);
    return { job, entry: this.s.harness.lastCard(c)!, c };
  }

  /** A confirmation card (eject media on a lab host) asked for by Olga. */
  async confirmCard(c = this.newConv()) {
    await this.s.harness.say(OLGA, 'media eject LABA004', c);
    return { entry: this.s.harness.lastCard(c, 'Confirm')!, c };
  }

  /** Snapshot what an attack could change: the named jobs, the job counts per target, the given records. */
  private async snapshot(jobIds: string[], records: [string, string][]): Promise<string> {
    const jobs = await Promise.all(jobIds.map((id) => this.s.store.getJob(id)));
    const counts = [await this.count('cluster', 'domain-c2'), await this.count('host', 'LABA004')];
    const recs = await Promise.all(records.map(([t, id]) => this.s.store.getRecord(t, id)));
    return JSON.stringify({ jobs, counts, recs: recs.map((r) => r?.data ?? null) });
  }

  /** Run `attack`; refused when the snapshot is unchanged and the bot said nothing was changed. */
  async judge(
    name: string,
    watch: { jobs?: string[]; records?: [string, string][] },
    attack: () => Promise<{ replies: Partial<Activity>[]; invokeResponse?: unknown }>,
  ): Promise<void> {
    const before = await this.snapshot(watch.jobs ?? [], watch.records ?? []);
    let said: string;
    try {
      const r = await attack();
      said = textOf(r.replies, r.invokeResponse);
    } catch (err) {
      said = `threw: ${String(err)}`;
    }
    const after = await this.snapshot(watch.jobs ?? [], watch.records ?? []);
    const unchanged = before === after;
    const refused = unchanged && NOTHING.test(said);
    const detail = unchanged
      ? said.replace(/\s+/g, ' ').slice(0, 160)
      : `state changed; bot said: ${said.slice(0, 120)}`;
    this.out.push({ area: AREA, name, refused, detail });
  }

  submit(as: ChatUser, entry: TranscriptEntry, data: unknown, via: Via) {
    return this.s.harness.submitCardData(as, entry, data, via);
  }
}

async function identityAttacks(a: Attacker): Promise<void> {
  for (const via of VIAS) {
    for (const [reqForm, requester] of Object.entries(MALLORY))
      for (const [apprForm, approver] of Object.entries(MALLORY)) {
        const { job, entry } = await a.request(requester);
        await a.judge(
          `self-approval: requested as ${reqForm}, approved as ${apprForm} (${via})`,
          { jobs: [job.id] },
          () => a.submit(approver, entry, buttonData(entry, 'Approve'), via),
        );
      }
    for (const ghost of ['29:ghost', 'dl-ghost', '8:ghost']) {
      const { job, entry } = await a.request(OLGA);
      await a.judge(`unlisted approver ${ghost} without AAD id (${via})`, { jobs: [job.id] }, () =>
        a.submit(user(ghost, 'Ghost'), entry, buttonData(entry, 'Approve'), via),
      );
    }
    for (const approver of [ADA, ABE]) {
      const { job, entry } = await a.request(user('dl-x', 'Xavier'));
      await a.judge(`unresolvable requester, approved by ${approver.name} (${via})`, { jobs: [job.id] }, () =>
        a.submit(approver, entry, buttonData(entry, 'Approve'), via),
      );
    }
    const mixed: [string, string][] = [
      ['29:mal', 'aad-appr'],
      ['29:appr', 'aad-mal'],
      ['dl-mal', 'aad-appr'],
      ['29:appr', 'aad-oper'],
      ['29:appr', 'aad-unknown'],
      ['29:mal', 'aad-unknown'],
    ];
    for (const [id, aad] of mixed) {
      const { job, entry } = await a.request(OLGA);
      await a.judge(`ids of two people (${id} + ${aad}) approve (${via})`, { jobs: [job.id] }, () =>
        a.submit(user(id, 'Mixed', aad), entry, buttonData(entry, 'Approve'), via),
      );
    }
  }
  for (const [id, aad] of [
    ['29:mal', 'aad-appr'],
    ['29:appr', 'aad-mal'],
    ['dl-mal', 'aad-oper'],
    ['29:oper', 'aad-unknown'],
  ] as const)
    await a.judge(`ids of two people (${id} + ${aad}) request a production change`, {}, async () => ({
      replies: await a.s.harness.say(user(id, 'Mixed', aad), 'update cluster prod-a', a.newConv()),
    }));
}

async function bindingAttacks(a: Attacker): Promise<void> {
  for (const via of VIAS) {
    // Another conversation.
    for (const title of ['Approve', 'Reject']) {
      const x = await a.request(OLGA);
      const y = await a.request(OLGA);
      await a.judge(
        `${title} of job A from job B's card in another conversation (${via})`,
        { jobs: [x.job.id, y.job.id] },
        () => a.submit(ADA, y.entry, buttonData(x.entry, title), via),
      );
    }
    for (const title of ['Confirm', 'Abort']) {
      const x = await a.confirmCard();
      const y = await a.request(OLGA);
      const cid = (buttonData(x.entry, title).p as Json).cid as string;
      await a.judge(
        `confirmation ${title} replayed in another conversation (${via})`,
        { records: [['card-used', cid]] },
        () => a.submit(OLGA, y.entry, buttonData(x.entry, title), via),
      );
    }
    // Unbound and tampered data.
    for (const title of ['Approve', 'Reject']) {
      const x = await a.request(OLGA);
      const { cv: _cv, ...unbound } = buttonData(x.entry, title);
      await a.judge(`${title} without a conversation tag (${via})`, { jobs: [x.job.id] }, () =>
        a.submit(ADA, x.entry, unbound, via),
      );
    }
    const tampers: [string, (d: Json, other: { jobId: string; cid: string; c: string }) => Json][] = [
      ['job id swapped', (d, o) => ({ ...d, p: { ...(d.p as Json), jobId: o.jobId } })],
      ['version bumped', (d) => ({ ...d, p: { ...(d.p as Json), v: Number((d.p as Json).v) + 1 } })],
      ['card id swapped', (d, o) => ({ ...d, p: { ...(d.p as Json), cid: o.cid } })],
      ['verb changed to reject', (d) => ({ ...d, verb: 'job.reject' })],
      [
        'signature flipped',
        (d) => ({ ...d, sig: `${String(d.sig).startsWith('0') ? '1' : '0'}${String(d.sig).slice(1)}` }),
      ],
      [
        'conversation tag of another conversation',
        (d, o) => ({ ...d, cv: conversationTag(`${o.c}-elsewhere`) }),
      ],
      ['extra signed field', (d) => ({ ...d, p: { ...(d.p as Json), force: true } })],
      ['signature removed', (d) => ({ ...d, sig: undefined })],
    ];
    for (const [what, tamper] of tampers) {
      const x = await a.request(OLGA);
      const y = await a.request(OLGA, x.c);
      const other = {
        jobId: y.job.id,
        cid: (buttonData(y.entry, 'Approve').p as Json).cid as string,
        c: y.c,
      };
      await a.judge(`Approve tampered: ${what} (${via})`, { jobs: [x.job.id, y.job.id] }, () =>
        a.submit(ADA, x.entry, tamper(buttonData(x.entry, 'Approve'), other), via),
      );
    }
    // Replays.
    {
      const x = await a.request(OLGA);
      const approve = buttonData(x.entry, 'Approve');
      const reject = buttonData(x.entry, 'Reject');
      await a.submit(ABE, x.entry, reject, via);
      await a.judge(`Approve replayed after a rejection (${via})`, { jobs: [x.job.id] }, () =>
        a.submit(ADA, x.entry, approve, via),
      );
      await a.judge(`Reject replayed after a rejection (${via})`, { jobs: [x.job.id] }, () =>
        a.submit(ADA, x.entry, reject, via),
      );
    }
    {
      const x = await a.confirmCard();
      const confirm = buttonData(x.entry, 'Confirm');
      await a.submit(OLGA, x.entry, buttonData(x.entry, 'Abort'), via);
      await a.judge(`Confirm replayed after Abort (${via})`, {}, () => a.submit(OLGA, x.entry, confirm, via));
      const y = await a.confirmCard();
      const again = buttonData(y.entry, 'Confirm');
      await a.submit(OLGA, y.entry, again, via);
      await a.judge(`Confirm replayed after it ran (${via})`, {}, () => a.submit(OLGA, y.entry, again, via));
    }
    // Oversize and malformed.
    const shapes: [string, (d: Json) => unknown][] = [
      ['30 KB extra input', (d) => ({ ...d, in_x: 'x'.repeat(30_000) })],
      ['30 KB in the payload', (d) => ({ ...d, p: { ...(d.p as Json), pad: 'x'.repeat(30_000) } })],
      ['payload nested 60 deep', (d) => ({ ...d, p: { ...(d.p as Json), deep: nest(60) } })],
      ['comment of 301 characters', (d) => ({ ...d, in_comment: 'c'.repeat(301) })],
      ['comment of 5000 characters', (d) => ({ ...d, in_comment: 'c'.repeat(5000) })],
      ['data null', () => null],
      ['data an array', (d) => [d]],
      ['data a string', () => 'job.approve'],
      ['data a number', () => 42],
      ['verb only', () => ({ verb: 'job.approve' })],
      ['unknown verb', (d) => ({ ...d, verb: 'job.force' })],
      ['payload not an object', (d) => ({ ...d, p: 'x' })],
    ];
    for (const [what, shape] of shapes) {
      const x = await a.request(OLGA);
      await a.judge(`Approve ${what} (${via})`, { jobs: [x.job.id] }, () =>
        a.submit(ADA, x.entry, shape(buttonData(x.entry, 'Approve')), via),
      );
    }
  }
  // Another card's message in the same conversation: only Teams (Action.Execute) says which message was clicked.
  for (const title of ['Approve', 'Reject']) {
    const x = await a.request(OLGA);
    const y = await a.request(OLGA, x.c);
    await a.judge(
      `${title} of job A from job B's card message, same conversation`,
      { jobs: [x.job.id, y.job.id] },
      () => a.submit(ADA, y.entry, buttonData(x.entry, title), 'execute'),
    );
  }
  for (const title of ['Confirm', 'Abort']) {
    const x = await a.confirmCard();
    const y = await a.confirmCard(x.c);
    const cid = (buttonData(x.entry, title).p as Json).cid as string;
    await a.judge(
      `confirmation ${title} from another confirmation's message`,
      { records: [['card-used', cid]] },
      () => a.submit(OLGA, y.entry, buttonData(x.entry, title), 'execute'),
    );
  }
}

function nest(depth: number): Json {
  let v: Json = { end: true };
  for (let i = 0; i < depth; i++) v = { d: v };
  return v;
}

export const run: AttackCatalogue = async () => {
  const s = await startApprovalsStack(CONFIG);
  const a = new Attacker(s);
  try {
    await identityAttacks(a);
    await bindingAttacks(a);
  } finally {
    await s.close();
  }
  return a.out;
};
