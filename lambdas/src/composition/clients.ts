import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';

export type ServiceName = 'dynamodb' | 'sqs' | 'sfn' | 'scheduler' | 'secretsManager' | 'sesv2';

export interface ServiceOverride {
  /** A local stand-in's URL; a function when the stand-in starts after the clients are set up. */
  endpoint?: string | (() => string);
  maxAttempts?: number;
}

export interface ClientOptions {
  /** Only the local stack sets these: endpoints of dynalite, the SQS emulator, the local engine's API. */
  services?: Partial<Record<ServiceName, ServiceOverride>>;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** What every client here is given: endpoint, retries, region and credentials when overridden. */
export interface ClientConfig {
  endpoint?: string;
  maxAttempts?: number;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly sfn: SFNClient;
  readonly scheduler: SchedulerClient;
  readonly secretsManager: SecretsManagerClient;
  /**
   * Any other service's client, configured like these: the caller names the class, so the SDK package of a
   * client only one function uses (SES for e-mail) is bundled into that function alone.
   */
  of<C extends { destroy(): void }>(service: ServiceName, Client: new (config: ClientConfig) => C): C;
  /** Close the connections of the clients created so far. */
  destroy(): void;
}

/**
 * The one place the cloud side creates SDK clients (DESIGN §1: the local stack differs only in endpoints).
 * Each client is created on first use, never when a module loads, and reused while the container is warm.
 */
export function createAwsClients(opts: ClientOptions = {}): AwsClients {
  const made = new Map<ServiceName, { destroy(): void }>();
  const configOf = (service: ServiceName): ClientConfig => {
    const o = opts.services?.[service];
    const endpoint = typeof o?.endpoint === 'function' ? o.endpoint() : o?.endpoint;
    return {
      ...(endpoint ? { endpoint } : {}),
      ...(o?.maxAttempts ? { maxAttempts: o.maxAttempts } : {}),
      ...(opts.region ? { region: opts.region } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    };
  };
  const once = <C extends { destroy(): void }>(service: ServiceName, make: () => C): C => {
    let client = made.get(service) as C | undefined;
    if (!client) {
      client = make();
      made.set(service, client);
    }
    return client;
  };
  return {
    get dynamodb() {
      return once('dynamodb', () => new DynamoDBClient(configOf('dynamodb')));
    },
    get sqs() {
      return once('sqs', () => new SQSClient(configOf('sqs')));
    },
    get sfn() {
      return once('sfn', () => new SFNClient(configOf('sfn')));
    },
    get scheduler() {
      return once('scheduler', () => new SchedulerClient(configOf('scheduler')));
    },
    get secretsManager() {
      return once('secretsManager', () => new SecretsManagerClient(configOf('secretsManager')));
    },
    of(service, Client) {
      return once(service, () => new Client(configOf(service)));
    },
    destroy() {
      for (const c of made.values()) c.destroy();
      made.clear();
    },
  };
}
