import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A small local AWS endpoint that keeps state: the base URL and what it holds. */
export interface LocalEndpoint<S> {
  endpoint: string;
  state: S;
  close(): Promise<void>;
}

async function listen(
  handle: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += String(c);
    });
    req.on('end', () => handle(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}
const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
const closeOf = (s: Server) => () =>
  new Promise<void>((r) => {
    s.closeAllConnections();
    s.close(() => r());
  });

/** Secrets Manager (awsJson1_1): GetSecretValue and PutSecretValue over secrets keyed by ARN (or name). */
export async function startLocalSecretsManager(
  secrets: Map<string, string>,
): Promise<LocalEndpoint<Map<string, string>>> {
  const server = await listen((req, body, res) => {
    const op = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
    const reply = (code: number, out: unknown) =>
      res.writeHead(code, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(out));
    const input = JSON.parse(body || '{}') as { SecretId?: string; SecretString?: string };
    const id = [...secrets.keys()].find(
      (k) => k === input.SecretId || k.includes(`:secret:${input.SecretId}-`),
    );
    if (!id)
      return reply(400, {
        __type: 'ResourceNotFoundException',
        message: 'Secrets Manager can’t find the specified secret.',
      });
    if (op === 'GetSecretValue')
      return reply(200, { ARN: id, Name: id, SecretString: secrets.get(id), VersionId: 'v1' });
    if (op === 'PutSecretValue') {
      secrets.set(id, input.SecretString ?? '');
      return reply(200, { ARN: id, VersionId: 'v2' });
    }
    return reply(400, { __type: 'UnknownOperationException', message: op });
  });
  return { endpoint: urlOf(server), state: secrets, close: closeOf(server) };
}

/** EventBridge Scheduler (restJson1): Create/Update/Delete of schedules by group and name, and ListSchedules. */
export async function startLocalScheduler(): Promise<LocalEndpoint<Map<string, Record<string, unknown>>>> {
  const schedules = new Map<string, Record<string, unknown>>();
  const server = await listen((req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    const reply = (code: number, out: unknown, type?: string) =>
      res
        .writeHead(code, {
          'content-type': 'application/json',
          ...(type ? { 'x-amzn-errortype': type } : {}),
        })
        .end(JSON.stringify(out));
    if (url.pathname === '/schedules' && req.method === 'GET') {
      // ListSchedules: one page of everything (the reconcile lists a group's schedules by name prefix).
      const group = url.searchParams.get('ScheduleGroup');
      const prefix = url.searchParams.get('NamePrefix') ?? '';
      const found = [...schedules.keys()]
        .map((k) => ({ group: k.slice(0, k.indexOf('/')), name: k.slice(k.indexOf('/') + 1) }))
        .filter((s) => (!group || s.group === group) && s.name.startsWith(prefix))
        .map((s) => ({
          Name: s.name,
          GroupName: s.group,
          Arn: `arn:aws:scheduler:local:000000000000:schedule/${s.group}/${s.name}`,
          State: 'ENABLED',
        }));
      return reply(200, { Schedules: found });
    }
    if (!m) return reply(404, { Message: 'no such route' }, 'ResourceNotFoundException');
    const name = decodeURIComponent(m[1] ?? '');
    const input = JSON.parse(body || '{}') as Record<string, unknown>;
    const key = `${String(input.GroupName ?? url.searchParams.get('groupName') ?? 'default')}/${name}`;
    const arn = `arn:aws:scheduler:local:000000000000:schedule/${key}`;
    if (req.method === 'POST') {
      if (schedules.has(key)) return reply(409, { Message: 'exists' }, 'ConflictException');
      schedules.set(key, input);
      return reply(200, { ScheduleArn: arn });
    }
    if (req.method === 'PUT') {
      if (!schedules.has(key)) return reply(404, { Message: 'not found' }, 'ResourceNotFoundException');
      schedules.set(key, input);
      return reply(200, { ScheduleArn: arn });
    }
    if (req.method === 'DELETE') {
      if (!schedules.delete(key)) return reply(404, { Message: 'not found' }, 'ResourceNotFoundException');
      return reply(200, {});
    }
    return reply(405, { Message: 'method' }, 'ValidationException');
  });
  return { endpoint: urlOf(server), state: schedules, close: closeOf(server) };
}

// The local Bot Framework is shared with the bot Lambda handler's own tests.
export { type LocalBotFramework, startLocalBotFramework } from '@rackops/local/testing/bot-framework';
