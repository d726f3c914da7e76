import { type AwsClients, createAwsClients } from './clients';
import { buildPlatform, type Platform, type PlatformSeams } from './platform';
import { installMappedStackTraces } from './mapped-stack-traces';
import { settingsFromEnv } from './settings';

installMappedStackTraces();

let clients: AwsClients | undefined;
const awsClients = (): AwsClients => {
  clients ??= createAwsClients();
  return clients;
};

/** This container's platform from its environment, for the bot Lambda's own wiring. */
export function awsPlatform(seams: PlatformSeams = {}): Platform {
  return buildPlatform({ settings: settingsFromEnv(), clients: awsClients(), seams });
}

/**
 * A Lambda entry point: the function is built from the platform on the first event (never at module load,
 * so a cold start that fails to build is retried on the next event) and reused while the container is warm.
 * `build` is the same `*FromPlatform` factory the local stack calls.
 */
export function lambdaEntry<R>(
  build: (platform: Platform) => (event: unknown) => Promise<R>,
  seams: PlatformSeams = {},
): (event: unknown) => Promise<R> {
  let handle: ((event: unknown) => Promise<R>) | undefined;
  return async (event) => {
    handle ??= build(awsPlatform(seams));
    return handle(event);
  };
}
