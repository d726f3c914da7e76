import type { AuditEvent } from '@rackops/core/jobs/job.schema';
import { type RunningDynalite, startDynalite } from '@rackops/local/dynalite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DynamoStore, createDynamoStore } from '../src/adapters/dynamo-store';
import { observeDynamoCalls } from '../src/adapters/dynamo/lean-client';

/**
 * Audit events written at the same moment share requests (coalesced-puts.ts), on dynalite, with every request
 * the Store sends counted by operation; an observer of its table calls stands in for DynamoDB's faults.
 */
let dynalite: RunningDynalite;
let store: DynamoStore;
let sent: string[] = [];
/** When set, called on each request; may answer (or throw) instead of DynamoDB. */
let fault:
  | ((op: string, input: Record<string, unknown>) => Promise<Record<string, unknown> | undefined>)
  | undefined;

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = dynalite.client();
  observeDynamoCalls(client, 'testFaults', async (op, input, call) => {
    sent.push(op);
    return (await fault?.(op, input)) ?? call(input);
  });
  store = createDynamoStore({ client, tableName: 'audit-coalesced' });
  await store.migrate();
});
afterAll(async () => {
  await dynalite.close();
});
beforeEach(() => {
  fault = undefined;
  sent = [];
});

const DAY = '2026-12-08';
const event = (actor: string, n: number, id?: string) => ({
  actor: { kind: 'user' as const, id: actor, name: actor },
  action: `help-${n}`,
  at: `${DAY}T10:00:${String(n % 60).padStart(2, '0')}.000Z`,
  detail: { n },
  ...(id ? { id } : {}),
});
const byActor = async (actor: string): Promise<AuditEvent[]> => (await store.listAuditByActor(actor)).items;

describe('audit events written at the same moment', () => {
  it('a lone event is one PutItem', async () => {
    await store.recordAudit(event('alone', 1));
    expect(sent).toEqual(['PutItem']);
    expect((await byActor('alone')).map((e) => e.action)).toEqual(['help-1']);
  });

  it('thirty at once: a few requests instead of thirty, every event written and answered', async () => {
    const written = await Promise.all(
      Array.from({ length: 30 }, (_, n) => store.recordAudit(event('burst', n))),
    );
    expect(written).toHaveLength(30);
    // Two go out at once on their own; the 28 written meanwhile go as 25 + 3.
    expect(sent.filter((op) => op === 'PutItem')).toHaveLength(2);
    expect(sent.filter((op) => op === 'BatchWriteItem')).toHaveLength(2);
    const listed = await byActor('burst');
    expect(listed.map((e) => e.id).sort()).toEqual(written.map((e) => e.id).sort());
  });

  it('what the table leaves unprocessed is written again; each caller answered once its own event is', async () => {
    let throttled = false;
    fault = async (op, input) => {
      if (op !== 'BatchWriteItem' || throttled) return undefined;
      throttled = true;
      // Answer for DynamoDB: nothing written, everything unprocessed (throttled).
      return { UnprocessedItems: input.RequestItems };
    };
    const written = await Promise.all(
      Array.from({ length: 12 }, (_, n) => store.recordAudit(event('slow', n))),
    );
    expect(throttled).toBe(true);
    expect((await byActor('slow')).map((e) => e.id).sort()).toEqual(written.map((e) => e.id).sort());
  });

  it('a request that fails fails its own callers only; the others are written', async () => {
    let failed = 0;
    fault = async (op) => {
      if (op !== 'BatchWriteItem' || failed++ > 0) return undefined;
      throw Object.assign(new Error('the table is unavailable'), { name: 'InternalServerError' });
    };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, n) => store.recordAudit(event('partly', n))),
    );
    const rejected = outcomes.filter((o) => o.status === 'rejected');
    const fulfilled = outcomes.filter((o) => o.status === 'fulfilled');
    // The two that went out alone were written; the eight that waited shared the request that failed.
    expect(rejected).toHaveLength(8);
    for (const r of rejected) expect(String((r as PromiseRejectedResult).reason)).toMatch(/unavailable/);
    expect(fulfilled).toHaveLength(2);
    expect((await byActor('partly')).map((e) => e.id).sort()).toEqual(
      fulfilled.map((f) => (f as PromiseFulfilledResult<AuditEvent>).value.id).sort(),
    );
  });

  it('one event id written twice at once never shares a request with itself (DynamoDB would refuse it)', async () => {
    const twice = [event('same', 7, 'audit-fixed-id'), event('same', 7, 'audit-fixed-id')];
    const others = Array.from({ length: 4 }, (_, n) => event('same', n + 10));
    await Promise.all(
      [...others, ...twice, ...others.map((e, n) => ({ ...e, action: `again-${n}` }))].map((e) =>
        store.recordAudit(e),
      ),
    );
    const listed = await byActor('same');
    expect(listed.filter((e) => e.id === 'audit-fixed-id')).toHaveLength(1);
    expect(listed).toHaveLength(9);
  });
});
