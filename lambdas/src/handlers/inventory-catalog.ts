import { createReadStream } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Catalog } from '@rackops/core/catalog/catalog.schema';
import { CatalogParseError } from '@rackops/core/catalog/catalog-errors';
import { CatalogStreamParser, type CatalogStreamOptions } from '@rackops/core/catalog/catalog-sax';
import { checkPinOnHandshake } from '@rackops/core/util/certificate-pin';
import { RackOpsError } from '@rackops/core/util/errors';
import { z } from 'zod';

/** The catalog could not be fetched (unreachable, HTTP error, certificate mismatch, too big). */
export class CatalogUnavailableError extends RackOpsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('catalog_unavailable', message, options);
  }
}

/** Where the firmware catalog is: a URL (Dell's, or an on-prem repository) or a local file. */
export const CatalogSource = z.union([
  z.object({
    url: z.string().url(),
    /** PEM of a private CA / self-signed repository certificate to trust (in addition to none other). */
    ca: z.string().optional(),
    /** Pinned SHA-256 fingerprint of the server certificate (`AB:CD:...`), for self-signed repositories. */
    certSha256: z.string().optional(),
    timeoutMs: z.number().int().positive().default(30_000),
  }),
  z.object({ file: z.string().min(1) }),
]);
export type CatalogSource = z.input<typeof CatalogSource>;

/** Dell's full catalog is ≈ 60 MB in UTF-16; anything far larger is not a catalog. */
const MAX_BYTES = 200 * 1024 * 1024;

export interface LoadedCatalog {
  catalog: Catalog;
  /** Where it was read from (to resolve package paths when the catalog has no baseLocation). */
  location: string;
  bytes: number;
}

/**
 * Read and parse a catalog at run time (the preflight reads it fresh every job). The I/O lives here,
 * outside core; parsing is core's streaming reader, fed chunk by chunk as the file or response arrives,
 * so the ≈ 60 MB UTF-16 catalog is never held whole (issue 20). `systemIds` keeps only the components
 * of those models. TLS is verified: by a given CA, or by a pinned certificate fingerprint for a
 * self-signed repository — never switched off.
 */
export async function loadCatalog(
  source: CatalogSource,
  opts: CatalogStreamOptions = {},
): Promise<LoadedCatalog> {
  const src = CatalogSource.parse(source);
  const location = 'file' in src ? src.file : src.url;
  const parser = new CatalogStreamParser(opts);
  let bytes = 0;
  const feed = (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_BYTES) throw new CatalogUnavailableError(`${location}: larger than ${MAX_BYTES} bytes`);
    parser.write(chunk);
  };
  try {
    if ('file' in src) await readChunks(src.file, feed);
    else await fetchChunks(src, feed);
    return { catalog: parser.end(), location, bytes };
  } catch (err) {
    if (err instanceof CatalogParseError)
      throw new CatalogParseError(`${location}: ${err.message}`, { cause: err });
    throw err;
  }
}

async function readChunks(file: string, feed: (chunk: Buffer) => void): Promise<void> {
  try {
    // 128 KiB reads: measured with the catalog bench, 1 MiB chunks raised the peak RSS by ≈ 20 MiB for no speed.
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 17 })) feed(chunk as Buffer);
  } catch (err) {
    if (err instanceof RackOpsError) throw err;
    throw new CatalogUnavailableError(`cannot read catalog file ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function fetchChunks(
  src: { url: string; ca?: string; certSha256?: string; timeoutMs: number },
  feed: (chunk: Buffer) => void,
): Promise<void> {
  const url = new URL(src.url);
  return new Promise((resolve, reject) => {
    const fail = (msg: string, cause?: unknown) =>
      reject(new CatalogUnavailableError(`catalog ${src.url}: ${msg}`, cause ? { cause } : undefined));
    const onResponse = (res: import('node:http').IncomingMessage) => {
      if ((res.statusCode ?? 0) >= 300) {
        res.resume();
        return fail(`HTTP ${res.statusCode}`);
      }
      res.on('data', (c: Buffer) => {
        try {
          feed(c);
        } catch (err) {
          // A parse error (or the size cap) ends the download at once: no point reading the rest.
          res.destroy();
          reject(err);
        }
      });
      res.on('end', () => resolve());
      res.on('error', (e) => fail(e.message, e));
    };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, { timeout: src.timeoutMs, ...trustOptions(src) }, onResponse)
        : httpRequest(url, { timeout: src.timeoutMs }, onResponse);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${src.timeoutMs} ms`)));
    req.on('error', (e) => fail(e.message, e));
    req.end();
  });
}

/**
 * How the fetch trusts the repository: its CA, or its pinned certificate (with the CA too when given).
 * A pinned fetch opens a connection of its own, checked on the handshake by core's one pin check; the
 * shared global agent would hand a later fetch a kept-alive socket whose response carries no certificate.
 */
function trustOptions(src: { ca?: string; certSha256?: string }): RequestOptions {
  const { ca, certSha256: pinned } = src;
  if (!pinned) return ca ? { ca } : {};
  return {
    createConnection: (opts) =>
      checkPinOnHandshake(
        tlsConnect({
          host: opts.host ?? undefined,
          port: Number(opts.port ?? 443),
          ...(opts.host && !isIP(opts.host) ? { servername: opts.host } : {}),
          // A self-signed repository is trusted by its pin instead of by a CA chain.
          ...(ca ? { ca } : { rejectUnauthorized: false }),
        }),
        pinned,
        (expected, actual) => new Error(`certificate fingerprint ${actual} is not the pinned ${expected}`),
      ),
  };
}
