import { REDACTING_LOGGER } from '@rackops/core/util/redaction';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Orchestrator } from '@rackops/core/ports/orchestrator.port';
import type { Store } from '@rackops/core/ports/store.port';
import { type Keyring, parseKeyringText } from '@rackops/core/relay/keyring';
import { ValidationError } from '@rackops/core/util/errors';
import { type Logger, pino } from 'pino';
import { createDynamoStore } from '../adapters/dynamo-store';
import { createSfnOrchestrator, stateMachineArnsFromEnv } from '../adapters/sfn-orchestrator';

// AWS wiring for the runtime handlers (dispatch, result, claim), from the environment infra sets. Everything is
// created on first use, never at module load, and then reused across warm invocations.

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new ValidationError(`environment variable ${name} is not set`);
  return value;
}

let logger: Logger | undefined;
export const awsLogger = (): Logger => {
  logger ??= pino({ ...REDACTING_LOGGER, level: process.env.LOG_LEVEL ?? 'info' });
  return logger;
};

let store: Store | undefined;
export const awsStore = (): Store => {
  store ??= createDynamoStore({ client: new DynamoDBClient({}), tableName: requireEnv('TABLE_NAME') });
  return store;
};

let orchestrator: Orchestrator | undefined;
export const awsOrchestrator = (): Orchestrator => {
  orchestrator ??= createSfnOrchestrator({
    client: new SFNClient({}),
    stateMachineArns: stateMachineArnsFromEnv(),
  });
  return orchestrator;
};

let sqs: SQSClient | undefined;
export const awsSqs = (): SQSClient => {
  sqs ??= new SQSClient({});
  return sqs;
};

let scheduler: SchedulerClient | undefined;
export const awsSchedulerClient = (): SchedulerClient => {
  scheduler ??= new SchedulerClient({});
  return scheduler;
};

let relayKey: { keys: Promise<Keyring>; at: number } | undefined;
/** Re-read at most this often, so a rotation reaches warm containers within minutes. */
const RELAY_KEY_TTL_MS = 5 * 60_000;
/**
 * The relay keyring from Secrets Manager: one plain key (kid `default`) or JSON `{activeKid, keys}` during and
 * after a rotation. Cached per container for five minutes; a failed fetch is retried next call.
 */
export const awsRelayKeys = (): Promise<Keyring> => {
  if (relayKey && Date.now() - relayKey.at > RELAY_KEY_TTL_MS) relayKey = undefined;
  relayKey ??= { at: Date.now(), keys: fetchRelayKeys() };
  return relayKey.keys;
};
const fetchRelayKeys = (): Promise<Keyring> =>
  new SecretsManagerClient({})
    .send(new GetSecretValueCommand({ SecretId: requireEnv('RELAY_SIGNING_KEY_SECRET_ARN') }))
    .then((out) => {
      if (!out.SecretString) throw new ValidationError('the relay signing key secret is empty');
      return parseKeyringText(out.SecretString);
    })
    .catch((err: unknown) => {
      relayKey = undefined;
      throw err;
    });
