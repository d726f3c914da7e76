import { buildApp } from 'fauxqs';

/** A running in-process SQS emulator (fauxqs) bound to 127.0.0.1 on an ephemeral port. */
export interface SqsEmulator {
  /** Pass as `endpoint` to `new SQSClient({ endpoint, region, credentials })`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

export interface SqsEmulatorOptions {
  /** Region used when a request carries no SigV4 scope. @default 'us-east-1' */
  readonly region?: string;
}

/**
 * Starts fauxqs on loopback only (its own startFauxqs binds 0.0.0.0, hence buildApp + listen).
 * Clients must set an explicit `endpoint`: the SDK then ignores the `sqs.<region>.localhost`
 * host inside fauxqs queue URLs, which would otherwise need DNS for *.localhost.
 * Any credentials are accepted.
 */
export async function startSqsEmulator(opts: SqsEmulatorOptions = {}): Promise<SqsEmulator> {
  const app = buildApp({ logger: false, host: 'localhost', defaultRegion: opts.region ?? 'us-east-1' });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  let closed = false;
  return {
    endpoint: address,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
    },
  };
}
