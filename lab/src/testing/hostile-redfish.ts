import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenTls, type TlsListener } from '../http/listen-tls';
import { createLabCert, type LabCert } from '../tls/lab-cert';

/** One scripted answer: status, headers, JSON body. */
export interface ScriptedAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A request a server saw: method, path, and whether it carried a session token or a login body. */
export interface SeenRequest {
  method: string;
  path: string;
  token: boolean;
  body: string;
}

/**
 * A compromised iDRAC for security tests: it answers Redfish with whatever links the test scripts (members,
 * nextLinks, Location headers, upload URIs), and a second server on another loopback port plays "elsewhere",
 * recording anything a client was tricked into sending there. Both present the same pinned certificate, so
 * only the client's own link checks keep it at home.
 */
export interface HostileRedfish {
  readonly url: string;
  readonly elsewhere: string;
  readonly certSha256: string;
  /**
   * Keyed by `METHOD path` (path with query); unscripted GETs answer HOSTILE_DEFAULTS or 404, the session POST
   * a token.
   */
  readonly script: Map<string, ScriptedAnswer>;
  readonly seen: SeenRequest[];
  readonly seenElsewhere: SeenRequest[];
  /** Forget scripts and requests between cases. */
  reset(): void;
  close(): Promise<void>;
}

const SESSIONS = '/redfish/v1/SessionService/Sessions';
const MANAGER = '/redfish/v1/Managers/iDRAC.Embedded.1';
const DELL = `${MANAGER}/Oem/Dell`;

/**
 * What the device answers where nothing is scripted: a service root that does not advertise `$expand`, and a
 * Manager and Dell services linking the 4.x+ layout (what a client reads to find the OEM resources).
 */
export const HOSTILE_DEFAULTS: ReadonlyMap<string, ScriptedAnswer> = new Map([
  ['GET /redfish/v1', { body: { RedfishVersion: '1.4.0' } }],
  [
    `GET ${MANAGER}`,
    {
      body: {
        Links: {
          Oem: {
            Dell: {
              Jobs: { '@odata.id': `${DELL}/Jobs` },
              DellLCService: { '@odata.id': `${DELL}/DellLCService` },
              DellJobService: { '@odata.id': `${DELL}/DellJobService` },
            },
          },
        },
      },
    },
  ],
  [
    `GET ${DELL}/DellLCService`,
    {
      body: {
        Actions: {
          '#DellLCService.GetRemoteServicesAPIStatus': {
            target: `${DELL}/DellLCService/Actions/DellLCService.GetRemoteServicesAPIStatus`,
          },
        },
      },
    },
  ],
  [
    `GET ${DELL}/DellJobService`,
    {
      body: {
        Actions: {
          '#DellJobService.DeleteJobQueue': {
            target: `${DELL}/DellJobService/Actions/DellJobService.DeleteJobQueue`,
          },
        },
      },
    },
  ],
]);

export async function startHostileRedfish(cert?: LabCert): Promise<HostileRedfish> {
  const c = cert ?? (await createLabCert('hostile-idrac'));
  const script = new Map<string, ScriptedAnswer>();
  const seen: SeenRequest[] = [];
  const seenElsewhere: SeenRequest[] = [];
  const record = async (req: IncomingMessage, into: SeenRequest[]): Promise<SeenRequest> => {
    const chunks: Buffer[] = [];
    for await (const ch of req) chunks.push(ch as Buffer);
    const r = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      token: typeof req.headers['x-auth-token'] === 'string',
      body: Buffer.concat(chunks).toString('utf8').slice(0, 2000),
    };
    into.push(r);
    return r;
  };
  const answer = (res: ServerResponse, a: ScriptedAnswer) => {
    try {
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers });
    } catch {
      res.writeHead(500); // a header no HTTP server can send
    }
    res.end(a.body === undefined ? '' : JSON.stringify(a.body));
  };
  const home: TlsListener = await listenTls({ cert: c }, (req, res) => {
    void record(req, seen).then((r) => {
      const key = `${r.method} ${r.path}`;
      const scripted = script.get(key) ?? HOSTILE_DEFAULTS.get(key);
      if (scripted) return answer(res, scripted);
      if (r.method === 'POST' && r.path === SESSIONS)
        return answer(res, {
          status: 201,
          headers: { 'x-auth-token': 'hostile-token', location: `${SESSIONS}/1` },
          body: {},
        });
      if (r.method === 'DELETE') return answer(res, { status: 204 });
      answer(res, { status: 404, body: { error: { message: 'not scripted' } } });
    });
  });
  const away: TlsListener = await listenTls({ cert: c }, (req, res) => {
    void record(req, seenElsewhere).then(() =>
      answer(res, {
        status: 201,
        headers: { 'x-auth-token': 'stolen', location: '/redfish/v1/TaskService/Tasks/JID_1' },
        body: { Id: 'JID_1', JobState: 'Completed', Members: [] },
      }),
    );
  });
  return {
    url: home.url,
    elsewhere: away.url,
    certSha256: c.sha256,
    script,
    seen,
    seenElsewhere,
    reset() {
      script.clear();
      seen.length = 0;
      seenElsewhere.length = 0;
    },
    async close() {
      await Promise.all([home.close(), away.close()]);
    },
  };
}
