import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The Bot Framework as a bot meets it, on loopback: an OpenID configuration and signing keys (as a sovereign
 * cloud's channel service publishes them), tokens signed with that key for a given app id, and a Bot Connector
 * that records what the bot sends.
 */
export interface LocalBotFramework {
  endpoint: string;
  issuer: string;
  /** A channel token for `appId`, valid for `serviceUrl` (Bot Framework claims `aud`, `iss`, `serviceurl`). */
  token(appId: string, serviceUrl: string, opts?: { expiresInS?: number }): string;
  /** Activities posted to the Bot Connector. */
  sent: { path: string; activity: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startLocalBotFramework(): Promise<LocalBotFramework> {
  const { generateKeyPairSync, createSign, randomUUID } = await import('node:crypto');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = {
    ...publicKey.export({ format: 'jwk' }),
    kid,
    use: 'sig',
    alg: 'RS256',
    endorsements: ['msteams'],
  };
  const sent: LocalBotFramework['sent'] = [];
  const issuer = 'https://api.botframework.local';
  let base = '';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += String(c);
    });
    req.on('end', () => answer(req, body, res));
  });
  const answer = (req: IncomingMessage, body: string, res: ServerResponse) => {
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET' && req.url === '/openid')
      return json(200, {
        issuer,
        jwks_uri: `${base}/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    if (req.method === 'GET' && req.url === '/keys') return json(200, { keys: [jwk] });
    if (req.method === 'POST' && req.url?.startsWith('/v3/conversations/')) {
      sent.push({ path: req.url, activity: JSON.parse(body || '{}') as Record<string, unknown> });
      return json(200, { id: `sent-${sent.length}` });
    }
    json(404, { error: 'not here' });
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return {
    endpoint: base,
    issuer,
    sent,
    token(appId, serviceUrl, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      const head = b64({ alg: 'RS256', typ: 'JWT', kid });
      const claims = b64({
        iss: issuer,
        aud: appId,
        serviceurl: serviceUrl,
        nbf: now - 60,
        exp: now + (opts.expiresInS ?? 3600),
      });
      const sig = createSign('RSA-SHA256').update(`${head}.${claims}`).sign(privateKey).toString('base64url');
      return `${head}.${claims}.${sig}`;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
