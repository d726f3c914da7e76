import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { z } from 'zod';

/** What a Teams Workflows webhook accepts: a message with exactly one Adaptive Card attachment. */
export const WorkflowsPayload = z.strictObject({
  type: z.literal('message'),
  attachments: z
    .array(
      z.strictObject({
        contentType: z.literal('application/vnd.microsoft.card.adaptive'),
        contentUrl: z.null(),
        content: z
          .object({
            type: z.literal('AdaptiveCard'),
            version: z.string(),
            body: z.array(z.object({ type: z.string() }).loose()).min(1),
          })
          .loose(),
      }),
    )
    .length(1),
});
export type AdaptiveCardContent = z.infer<typeof WorkflowsPayload>['attachments'][number]['content'];

export interface WebhookStandIn {
  /** With a secret-looking path: what a Workflows URL carries, so tests can look for it in logs. */
  url: string;
  cards: AdaptiveCardContent[];
  /** Requests whose body was not a valid Workflows payload (answered 400). */
  invalid: number;
  close(): Promise<void>;
}

/** A request's body as text. */
export const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** Listen on a loopback port chosen by the system; returns the port. */
export const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
};

/** A Teams Workflows webhook on loopback: checks each payload's schema, keeps the cards. */
export async function startWebhookStandIn(
  secretPath = 'workflows/sig-0f9e8d7c6b5a',
): Promise<WebhookStandIn> {
  const out: WebhookStandIn = { url: '', cards: [], invalid: 0, close: async () => {} };
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      let parsed: ReturnType<typeof WorkflowsPayload.safeParse> | undefined;
      try {
        parsed = WorkflowsPayload.safeParse(JSON.parse(body));
      } catch {
        parsed = undefined;
      }
      if (req.method !== 'POST' || req.url !== `/${secretPath}` || !parsed?.success) {
        out.invalid += 1;
        res.writeHead(400).end();
        return;
      }
      for (const a of parsed.data.attachments) out.cards.push(a.content);
      res.writeHead(202).end();
    });
  });
  const port = await listen(server);
  out.url = `http://127.0.0.1:${port}/${secretPath}`;
  out.close = () => new Promise<void>((r) => server.close(() => r()));
  return out;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface SmtpStandIn {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback (smtp-server) that parses each message back (mailparser). A relay login, when
 * given, must match (plain AUTH is fine on loopback only).
 */
export async function startSmtpStandIn(login?: { user: string; password: string }): Promise<SmtpStandIn> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: !login,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (login && auth.username === login.user && auth.password === login.password)
        return callback(null, { user: auth.username });
      return callback(new Error('bad login'));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((m) => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: m.subject ?? '',
            text: m.text ?? '',
            html: typeof m.html === 'string' ? m.html : '',
          });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}
