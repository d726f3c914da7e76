import { request } from 'node:https';
import { XMLParser } from 'fast-xml-parser';
import type { LabConfigInput } from '../../src/config/lab-config.schema';
import { type Lab, startLab } from '../../src/index';

/**
 * A deliberately plain vim25 client for the tests: raw SOAP envelopes over node:https, the
 * `vmware_soap_session` cookie kept by hand, responses parsed with fast-xml-parser.
 */
export interface SoapResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed `soapenv:Body` content. */
  body: Record<string, unknown>;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  removeNSPrefix: false,
  isArray: (name) =>
    [
      'objects',
      'propSet',
      'returnval',
      'filterSet',
      'objectSet',
      'changeSet',
      'ManagedObjectReference',
      'VirtualDevice',
      'otherIdentifyingInfo',
      'rule',
      'group',
      'DatastoreHostMount',
    ].includes(name),
});

export const envelope = (inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;

export function createVimClient(baseUrl: string, ca: string) {
  let cookie: string | undefined;
  const raw = (xml: string, action = 'urn:vim25/8.0.2.0'): Promise<SoapResult> =>
    new Promise((resolve, reject) => {
      const payload = Buffer.from(xml);
      const headers: Record<string, string> = {
        'Content-Type': 'text/xml; charset=utf-8',
        SOAPAction: action,
        'Content-Length': String(payload.length),
      };
      if (cookie) headers.Cookie = cookie;
      const req = request(new URL('/sdk', baseUrl), { method: 'POST', headers, ca, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const setCookie = res.headers['set-cookie']?.[0];
          if (setCookie) cookie = setCookie.split(';')[0];
          const doc = parser.parse(text) as Record<string, Record<string, Record<string, unknown>>>;
          const body = doc['soapenv:Envelope']?.['soapenv:Body'] ?? {};
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  return {
    raw,
    call: (inner: string) => raw(envelope(inner)),
    get cookie() {
      return cookie;
    },
    set cookie(value: string | undefined) {
      cookie = value;
    },
    login: (user = 'administrator@vsphere.local', password = 'Lab-Passw0rd!') =>
      raw(
        envelope(
          `<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>${user}</userName><password>${password}</password></Login>`,
        ),
      ),
  };
}

export type VimClient = ReturnType<typeof createVimClient>;

/** A lab with its vCenter (no OME, no catalog) and a vim client logged in to it. */
export async function startVimLab(
  config?: LabConfigInput,
  timeScale = 1 / 6000,
): Promise<{ lab: Lab; vim: VimClient }> {
  const lab = await startLab(config, { timeScale, services: { ome: false, catalog: false } });
  const vim = createVimClient(lab.endpoints.vcenters[0]!.url, lab.tls.ca);
  await vim.login();
  return { lab, vim };
}

/** `<obj type="X">id</obj>` in parsed form. */
export interface ParsedMor {
  '@_type': string;
  '#text': string;
}

/** The returnval of `<XResponse>` (first element, or undefined). */
export function returnval(r: SoapResult, method: string): Record<string, unknown> | undefined {
  const resp = r.body[`${method}Response`] as { returnval?: Array<Record<string, unknown>> } | undefined;
  return resp?.returnval?.[0];
}

/** The detail fault element's xsi:type of a SOAP fault, e.g. `InvalidLogin`. */
export function faultType(r: SoapResult): string | undefined {
  const fault = r.body['soapenv:Fault'] as { detail?: Record<string, Record<string, string>> } | undefined;
  const detail = fault?.detail;
  if (!detail) return undefined;
  const first = Object.values(detail)[0];
  return first?.['@_xsi:type'];
}

/** The PropertyCollector filter spec for `type` objects in a container view, as govmomi and pyVmomi build it. */
export function viewSpec(viewId: string, type: string, paths: string[]): string {
  return `<specSet><propSet><type>${type}</type><all>false</all>${paths.map((p) => `<pathSet>${p}</pathSet>`).join('')}</propSet><objectSet><obj type="ContainerView">${viewId}</obj><skip>true</skip><selectSet xsi:type="TraversalSpec"><name>traverseEntities</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet>`;
}

/** propSet -> { name: val } for one ObjectContent. */
export function props(oc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of (oc.propSet as Array<{ name: string; val: unknown }> | undefined) ?? [])
    out[p.name] = p.val;
  return out;
}

/** Properties of one object (RetrievePropertiesEx on the object itself). */
export async function retrieveOne(
  vim: VimClient,
  type: string,
  id: string,
  paths: string[],
): Promise<Record<string, unknown>> {
  const r = await vim.call(
    `<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>${type}</type>${paths.map((p) => `<pathSet>${p}</pathSet>`).join('')}</propSet><objectSet><obj type="${type}">${id}</obj></objectSet></specSet><options/></RetrievePropertiesEx>`,
  );
  if (r.status !== 200) throw new Error(`RetrievePropertiesEx ${type} ${id}: ${r.text}`);
  const objects = (returnval(r, 'RetrievePropertiesEx')?.objects ?? []) as Array<Record<string, unknown>>;
  return objects[0] ? props(objects[0]) : {};
}

export interface TaskInfoView {
  state: string;
  progress?: string;
  error?: { fault: Record<string, string>; localizedMessage: string };
}

export async function taskInfo(vim: VimClient, taskId: string): Promise<TaskInfoView> {
  return (await retrieveOne(vim, 'Task', taskId, ['info'])).info as TaskInfoView;
}

/** Polls a task until it ends (a plain client's loop; the lab runs at a tiny time scale). */
export async function waitTask(vim: VimClient, taskId: string, timeoutMs = 10_000): Promise<TaskInfoView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await taskInfo(vim, taskId);
    if (info.state === 'success' || info.state === 'error') return info;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${info.state}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Calls a `..._Task` method and returns the task id. */
export async function startTask(vim: VimClient, method: string, inner: string): Promise<string> {
  const r = await vim.call(`<${method} xmlns="urn:vim25">${inner}</${method}>`);
  if (r.status !== 200) throw new Error(`${method}: ${r.text}`);
  const resp = r.body[`${method}Response`] as { returnval: Array<ParsedMor> };
  return resp.returnval[0]!['#text'];
}
