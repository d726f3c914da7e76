import { AuditEvent } from '@rackops/core/jobs/job.schema';
import type { AuditStore } from '@rackops/core/ports/audit-store.port';
import { newId } from '@rackops/core/util/ids';
import { coalescedPuts } from './coalesced-puts';
import type { TableAccess } from './table-access';
import { stripKeys } from './table-items';

/** Audit events: one item per event under its day, indexed by actor and (when it has one) by job. */
export function createAuditStore({ doc, table, iso, query, queryAll, backoff }: TableAccess): AuditStore {
  // Events written at the same moment (a burst of turns, a batch of results) share requests.
  const put = coalescedPuts({ doc, table, backoff });
  return {
    async recordAudit(event) {
      const at = event.at ?? iso();
      const audit = AuditEvent.parse({ ...event, id: event.id ?? newId(), at });
      const sk = `${audit.at}#${audit.id}`;
      await put({
        ...audit,
        pk: `AUDIT#${audit.at.slice(0, 10)}`,
        sk,
        gsi2pk: `ACTOR#${audit.actor.id}`,
        gsi2sk: sk,
        ...(audit.jobId ? { gsi3pk: `JOBAUDIT#${audit.jobId}`, gsi3sk: sk } : {}),
      });
      return audit;
    },

    async listAuditByTime(day, page) {
      const res = await query(
        { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': `AUDIT#${day}` } },
        page,
      );
      return { ...res, items: res.items.map((i) => AuditEvent.parse(stripKeys(i))) };
    },

    async listAuditByActor(actorId, page) {
      const res = await query(
        {
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :p',
          ExpressionAttributeValues: { ':p': `ACTOR#${actorId}` },
        },
        page,
      );
      return { ...res, items: res.items.map((i) => AuditEvent.parse(stripKeys(i))) };
    },

    async listAuditByJob(jobId) {
      const items = await queryAll({
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :p',
        ExpressionAttributeValues: { ':p': `JOBAUDIT#${jobId}` },
      });
      return items.map((i) => AuditEvent.parse(stripKeys(i)));
    },
  };
}
