import type { Store } from '@rackops/core/ports/store.port';
import { type CommandTarget, messageGroupId } from '@rackops/core/relay/envelope';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import { signRelayMessage } from '@rackops/core/relay/message-signature';
import type { RelayMessage } from '@rackops/core/relay/result.schema';
import {
  RELAY_COMMAND_TYPE,
  type RelayCommandRecord,
  taskTokenSha256,
} from '@rackops/core/relay/relay-command-record';

/** The key the tests' relay agent and cloud share. */
export const RELAY_KEY = 'result-test-relay-key-0123456789abcdef-0123';
export const TEST_TARGET: CommandTarget = { type: 'idrac', id: 'TEST001' };

/**
 * What the agent would send for a command dispatch sent: the message carries the command's target and is signed
 * with the agent's key; the command's record holds what dispatch records (token hash, target, kind, job). A
 * record a test wrote itself keeps its fields and gains the ones dispatch adds.
 */
export async function asAgentSent(
  store: Store,
  msg: RelayMessage,
  o: { keys?: KeyMaterial; target?: CommandTarget } = {},
): Promise<RelayMessage> {
  const keys = o.keys ?? RELAY_KEY;
  if (msg.type === 'agent-heartbeat' || !msg.commandId) return signRelayMessage(msg, keys);
  const target = o.target ?? TEST_TARGET;
  const prev = await store.getRecord<RelayCommandRecord>(RELAY_COMMAND_TYPE, msg.commandId);
  if (!prev?.data.taskTokenSha256) {
    const data: RelayCommandRecord = {
      commandId: msg.commandId,
      status: 'sent',
      ...(msg.jobId ? { jobId: msg.jobId } : {}),
      ...(msg.type !== 'rejected' ? { kind: msg.kind } : {}),
      target,
      ...prev?.data,
      ...(msg.taskToken ? { taskTokenSha256: taskTokenSha256(msg.taskToken) } : {}),
    };
    await store.putRecord<RelayCommandRecord>({
      type: RELAY_COMMAND_TYPE,
      id: msg.commandId,
      ...(data.jobId ? { parent: data.jobId } : {}),
      ...(prev?.sortKey ? { sortKey: prev.sortKey } : {}),
      data,
    });
  }
  const rec = (await store.getRecord<RelayCommandRecord>(RELAY_COMMAND_TYPE, msg.commandId))?.data;
  return signRelayMessage({ ...msg, target: messageGroupId(rec?.target ?? target) }, keys);
}
