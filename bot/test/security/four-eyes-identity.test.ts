import type { Job } from '@rackops/core/jobs/job.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotConfig, type BotConfigInput } from '../../src/config';
import type { ChatUser, ClickResult, TranscriptEntry } from '../../src/testing/harness';
import { CONFIG, type BotFixture, USERS, eventually, startBotFixture } from '../support/bot-fixture';

/**
 * Issue 18, item 5: one person under two ids approved their own production job. Mallory is listed under a
 * Teams id, a Web Chat id and an AAD object id; RBAC grants roles by any of them (as real configs do).
 */
const PEOPLE: BotConfigInput['people'] = [
  { name: 'Mallory', teamsIds: ['29:mal', 'dl-mal'], aadObjectIds: ['aad-mal'] },
  { name: 'Ada Approver', teamsIds: ['29:appr'], aadObjectIds: ['aad-appr'] },
  { name: 'Olga Operator', teamsIds: ['29:oper'], aadObjectIds: ['aad-oper'] },
];
const ROLES = {
  viewer: [],
  operator: ['aad-oper', 'aad-mal', 'dl-x'],
  approver: ['29:mal', 'dl-mal', 'aad-appr', '29:ghost'],
  admin: [],
};

const MAL_TEAMS: ChatUser = { id: '29:mal', name: 'Mallory', aadObjectId: 'aad-mal' };
const MAL_NO_AAD: ChatUser = { id: '29:mal', name: 'Mallory' };
const MAL_WEBCHAT: ChatUser = { id: 'dl-mal', name: 'Mallory' };
const GHOST: ChatUser = { id: '29:ghost', name: 'Gus Ghost' };
const UNLISTED_NO_AAD: ChatUser = { id: 'dl-x', name: 'Xavier' };
const ADA_NO_AAD: ChatUser = { id: '29:appr', name: 'Ada Approver' };
/** Mallory's Teams id with Ada's AAD object id: ids of two different people in one message. */
const MIXED: ChatUser = { id: '29:mal', name: 'Mallory', aadObjectId: 'aad-appr' };

const said = (r: ClickResult): string =>
  r.replies.map((x) => x.text ?? '').join('\n') + JSON.stringify(r.invokeResponse ?? '');

describe('security: four-eyes compares people, not the id a message carries', () => {
  let f: BotFixture;
  let conv = 0;
  beforeAll(async () => {
    f = await startBotFixture({ roles: ROLES, people: PEOPLE });
  });
  afterAll(async () => {
    await f?.close();
  });

  async function request(as: ChatUser): Promise<{ job: Job; entry: TranscriptEntry }> {
    const c = `fe-${++conv}`;
    await f.harness.say(as, 'update cluster prod-a', c);
    const job = (await f.store.listJobsByTarget('cluster', 'domain-c2', { limit: 1 })).items[0]!;
    expect(job.requiresApproval).toBe(true);
    return { job, entry: f.harness.lastCard(c)! };
  }

  async function expectUntouched(job: Job): Promise<void> {
    const now = await f.store.getJob(job.id);
    expect(now?.status).toBe('pending');
    expect(now?.approvedBy).toBeUndefined();
  }

  for (const via of ['execute', 'submit'] as const) {
    it(`listed under a Teams id and an AAD id, they cannot approve their own job from a message without aadObjectId (${via})`, async () => {
      const { job, entry } = await request(MAL_TEAMS);
      const r = await f.harness.click(MAL_NO_AAD, entry, 'Approve', { via });
      expect(said(r)).toContain('Four-eyes: you requested job');
      await expectUntouched(job);
    });

    it(`they cannot approve their own job from their Web Chat id either (${via})`, async () => {
      const { job, entry } = await request(MAL_TEAMS);
      const r = await f.harness.click(MAL_WEBCHAT, entry, 'Approve', { via });
      expect(said(r)).toContain('Four-eyes: you requested job');
      await expectUntouched(job);
    });
  }

  it('requested from a message without aadObjectId, approved from one with it: refused', async () => {
    const { job, entry } = await request(MAL_WEBCHAT);
    const r = await f.harness.click(MAL_TEAMS, entry, 'Approve');
    expect(said(r)).toContain('Four-eyes: you requested job');
    await expectUntouched(job);
  });

  it('an unlisted approver whose message carries no AAD object id is refused with a clear message', async () => {
    const { job, entry } = await request(USERS.operator);
    const r = await f.harness.click(GHOST, entry, 'Approve');
    expect(said(r)).toContain('cannot tell who you are');
    expect(said(r)).toContain('`people`');
    await expectUntouched(job);
  });

  it('a job requested by someone who could not be resolved cannot be approved by anyone', async () => {
    const { job, entry } = await request(UNLISTED_NO_AAD);
    const r = await f.harness.click(USERS.approver, entry, 'Approve');
    expect(said(r)).toContain('cannot tell who requested this job');
    await expectUntouched(job);
  });

  it('a message whose ids belong to two listed people is refused and audited security.identity_conflict', async () => {
    const { job, entry } = await request(USERS.operator);
    const r = await f.harness.click(MIXED, entry, 'Approve');
    expect(said(r)).toContain('belong to different people');
    await expectUntouched(job);
    const audits = (await f.store.listAuditByActor('aad-appr', { limit: 50 })).items;
    expect(audits.map((a) => a.action)).toContain('security.identity_conflict');
  });

  it('a chat command from ids of two listed people is refused too, and creates nothing', async () => {
    const before = (await f.store.listJobsByTarget('cluster', 'domain-c2', { limit: 100 })).items.length;
    const replies = await f.harness.say(MIXED, 'update cluster prod-a', `fe-${++conv}`);
    expect(replies.map((x) => x.text).join('\n')).toContain('belong to different people');
    expect((await f.store.listJobsByTarget('cluster', 'domain-c2', { limit: 100 })).items.length).toBe(
      before,
    );
  });

  it("a listed person approving someone else's job under another of their ids is one principal", async () => {
    const { job, entry } = await request(USERS.operator);
    const r = await f.harness.click(ADA_NO_AAD, entry, 'Approve');
    expect(said(r)).toContain('Approved by Ada Approver');
    const approved = await eventually(
      () => f.store.getJob(job.id),
      (j) => !!j?.approvedBy,
    );
    expect(approved?.approvedBy?.id).toBe('aad-appr');
    expect([...(approved?.approvedBy?.ids ?? [])].sort()).toEqual(['29:appr', 'aad-appr']);
  });

  it('the config refuses an id listed for two people', () => {
    const clash = {
      ...CONFIG,
      people: [
        { name: 'A', teamsIds: ['29:same'] },
        { name: 'B', aadObjectIds: ['29:same'] },
      ],
    };
    expect(() => BotConfig.parse(clash)).toThrow(/29:same is listed for both A and B/);
  });
});
