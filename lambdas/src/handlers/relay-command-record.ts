import type { CommandKind } from '@rackops/core/relay/commands';
import type { CommandTarget } from '@rackops/core/relay/envelope';

/** Store record type for relay commands (one per command id, parent = job id): what was sent, how it ended. */
export const RELAY_COMMAND_TYPE = 'relay-command';

export interface RelayCommandRecord {
  commandId: string;
  jobId?: string;
  kind?: CommandKind;
  target?: CommandTarget;
  status: 'sent' | 'running' | 'succeeded' | 'failed' | 'rejected';
  sentAt?: string;
  lastProgressAt?: string;
  progress?: string;
  percent?: number;
  completedAt?: string;
  durationMs?: number;
  error?: { code: string; message: string };
}
