/**
 * The single-table layout shared by the DynamoDB Store adapter and the CDK table definition, so the two cannot drift.
 * Key design (DESIGN §4):
 * - job           pk JOB#<id>          sk #JOB          gsi1 STATUS#<status> / <scheduleAt>#<id>   gsi2 TARGET#<kind>#<id> / <createdAt>#<id>   gsi3 JOBS / <createdAt>#<id>
 * - step          pk JOB#<id>          sk STEP#<key>
 * - log line      pk JOB#<id>          sk LOG#<ulid>    (append-only; ulids sort in creation order)
 * - job item      pk JOB#<id>          sk ITEM#<kind>#<key>   (blockers, resolutions, approvals per host)
 * - audit event   pk AUDIT#<yyyy-mm-dd> sk <at>#<id>    gsi2 ACTOR#<actorId> / <at>#<id>   gsi3 JOBAUDIT#<jobId> / <at>#<id>
 * - record        pk REC#<type>#<id>   sk #REC          gsi1 TYPE#<type> / <sortKey|id>   gsi2 PARENT#<type>#<parent> / <id>
 */
export const TABLE_LAYOUT = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
} as const;

/** DynamoDB's item limit is 400 KB; we refuse well below it so attribute overhead never tips an item over. */
export const MAX_ITEM_BYTES = 350 * 1024;
/** Job `details` are for cards: small by design. Bulk data goes in step, log or record items. */
export const MAX_JOB_DETAILS_BYTES = 64 * 1024;
