import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XMLBuilder } from 'fast-xml-parser';
import { BodyTooLargeError, readBody, send } from '../http/io';
import { listenTls } from '../http/listen-tls';
import type { LabCert } from '../tls/lab-cert';
import type { World } from '../world/world';
import { watchAppliance } from './appliance';
import { crashStopOnReboot } from './host-crash';
import { handleRest } from './rest/rest-api';
import { faultEnvelope, requestMethod, responseEnvelope } from './soap/envelope';
import { VimFaultError } from './soap/faults';
import type { WireStyle } from './soap/wire-style';
import { parseXml } from './soap/xml-tree';
import { apiVersionOf } from './service-content';
import { sessionCookie, sessionFromCookie, SessionStore } from './sessions';
import { VimService } from './soap-service';
import type { VcContext } from './vc-context';

export interface VcenterServerOptions {
  cert: LabCert;
  /** Which vCenter of the world to serve (its config id); the first one by default. */
  id?: string;
  bindHost?: string;
  port?: number;
}

export interface VcenterServer {
  /** `https://127.0.0.1:<port>`; the SOAP endpoint is `${url}/sdk`, REST under `${url}/api`. */
  readonly url: string;
  readonly vcenterId: string;
  /** The vim25 service, for in-process checks (tests wait on `service.idle()`). */
  readonly service: VimService;
  close(): Promise<void>;
}

const XML_HEADERS = { 'Content-Type': 'text/xml; charset=utf-8' };
const versionsBuilder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true });

/** `/sdk/vimServiceVersions.xml`: pyVmomi and govmomi read it to pick the API version. */
function serviceVersionsXml(version: string): string {
  return versionsBuilder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    namespaces: {
      '@_version': '1.0',
      namespace: {
        name: 'urn:vim25',
        version: apiVersionOf(version),
        priorVersions: {
          version: [
            '8.0.1.0',
            '8.0.0.0',
            '7.0.3.0',
            '7.0.2.0',
            '7.0.1.0',
            '7.0.0.0',
            '6.7.3',
            '6.7',
            '6.5',
            '6.0',
          ],
        },
      },
    },
  }) as string;
}

/** A UUID derived from the lab seed, so the same lab has the same vCenter instance UUID. */
function stableUuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * One simulated vCenter over HTTPS: vim25 SOAP at POST /sdk and the Automation REST API under /api.
 * Faults are answered as SOAP faults with HTTP 500, like vCenter; the session travels in the
 * `vmware_soap_session` cookie.
 */
export async function startVcenterServer(world: World, opts: VcenterServerOptions): Promise<VcenterServer> {
  const vcenter = opts.id ? world.vcenters.get(opts.id) : [...world.vcenters.values()][0];
  if (!vcenter) throw new Error(`no vCenter ${opts.id ?? '(none in the lab)'}`);
  const ctx: VcContext = {
    world,
    vcenter,
    haPolicy: new Map(),
    instanceUuid: stableUuid(`${world.seed}:${vcenter.id}`),
  };
  const credentials = world.credentials.vcenter;
  const sessions = new SessionStore();
  const service = new VimService(ctx, sessions, credentials);
  const abort = new AbortController();
  // Order matters: the appliance watch must see a reboot before the crash-stop powers its VM off.
  const appliance = watchAppliance(world, vcenter.id, () => service.forgetSessions());
  const unsubscribe = crashStopOnReboot(world, vcenter.id);

  const style: WireStyle = {
    xsiPrefix: vcenter.quirks.xsiPrefix,
    emptyElements: vcenter.quirks.emptyElements,
  };
  const timeoutSeconds = vcenter.quirks.sessionTimeoutSeconds;
  /** The caller's session; one idle past the quirk's timeout (scaled) is ended here, as vCenter ends it. */
  const currentSession = (key: string | undefined) => {
    const session = sessions.get(key);
    if (!session || timeoutSeconds === undefined) return { session, expired: false };
    const idleMs = world.clock.now().getTime() - session.lastActiveTime.getTime();
    if (idleMs <= world.clock.scaled(timeoutSeconds * 1000)) return { session, expired: false };
    sessions.delete(session.key);
    return { session: undefined, expired: true };
  };

  const handleSoap = async (req: IncomingMessage, res: ServerResponse) => {
    let body: string;
    try {
      body = (await readBody(req, 16 * 1024 * 1024)).toString('utf8');
    } catch (e) {
      if (e instanceof BodyTooLargeError) send(res, 413, undefined);
      return;
    }
    let fault: VimFaultError;
    try {
      const method = requestMethod(parseXml(body));
      if (!method)
        throw new VimFaultError(
          'InvalidRequest',
          'Request is not a SOAP envelope with a body',
          {},
          'ClientFaultCode',
        );
      const { session, expired } = currentSession(sessionFromCookie(req.headers.cookie));
      // A long WaitForUpdatesEx ends when its client goes away or the server closes.
      const callAbort = new AbortController();
      const onClose = () => callAbort.abort();
      res.once('close', onClose);
      abort.signal.addEventListener('abort', onClose, { once: true });
      const answer = await service
        .call({
          method,
          session,
          expiredSession: expired,
          remoteAddress: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: String(req.headers['user-agent'] ?? ''),
          signal: callAbort.signal,
        })
        .finally(() => {
          res.off('close', onClose);
          abort.signal.removeEventListener('abort', onClose);
        });
      const headers: Record<string, string> = { ...XML_HEADERS };
      if (answer.newSession) headers['Set-Cookie'] = sessionCookie(answer.newSession.key);
      send(res, 200, responseEnvelope(method.name, answer.returnval, style), headers);
      return;
    } catch (e) {
      if (e instanceof VimFaultError) fault = e;
      else if (
        e instanceof Error &&
        /XML|Envelope|tag|closing/i.test(e.message) &&
        !(e instanceof TypeError)
      ) {
        fault = new VimFaultError(
          'InvalidRequest',
          `Unable to parse the request: ${e.message}`,
          {},
          'ClientFaultCode',
        );
      } else {
        process.stderr.write(`lab vcenter: ${e instanceof Error ? e.stack : String(e)}\n`);
        fault = new VimFaultError('SystemError', 'A general system error occurred: internal error', {
          reason: { kind: 'prim', xsd: 'string', value: 'internal error' },
        });
      }
    }
    send(res, 500, faultEnvelope(fault, style), XML_HEADERS);
  };

  const listener = await listenTls(opts, (req, res) => {
    if (appliance.isDown()) {
      // The vCenter's own VM is off: nothing answers (clients see a reset connection).
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'https://vcenter');
    if (url.pathname === '/sdk' && req.method === 'POST') {
      void handleSoap(req, res);
    } else if (url.pathname === '/sdk/vimServiceVersions.xml' && req.method === 'GET') {
      send(res, 200, serviceVersionsXml(vcenter.version), XML_HEADERS);
    } else if (url.pathname.startsWith('/api/')) {
      const deps = { world, inventory: service.inventory, sessions, credentials };
      if (!handleRest(deps, req, res, url)) send(res, 404, undefined);
    } else send(res, 404, undefined);
  });
  return {
    url: listener.url,
    vcenterId: vcenter.id,
    service,
    close: async () => {
      unsubscribe();
      appliance.stop();
      abort.abort();
      await listener.close();
    },
  };
}
