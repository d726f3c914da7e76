import { z } from 'zod';
import { deviceLink, LinkRefusedError } from '../http/device-link';
import { DeviceSession, SessionClient, loginForToken, requestWithToken } from '../http/device-session';
import { DeviceError, DeviceHttpError, MalformedResponseError } from '../http/errors';
import { type HttpClient, parseJson, type RequestOptions } from '../http/http-client';
import {
  Collection,
  ComputerSystem,
  DellJob,
  RemoteServicesStatus,
  SoftwareInventory,
  UpdateServiceRoot,
  VirtualMedia,
} from './redfish.schemas';
import { discoverServiceMap, MANAGER, type RedfishServiceMap } from './service-map';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

const SYSTEM = '/redfish/v1/Systems/System.Embedded.1';
/** Members fetched one by one at a time per iDRAC: the BMC is slow and serial-ish anyway. */
const MEMBER_FETCHES = 4;

/** Links a device may send us: Redfish resources only, a session under Sessions, an upload under UpdateService. */
const REDFISH_LINK = /^\/redfish\/v1\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/;
const SESSION_LINK = /^\/redfish\/v1\/SessionService\/Sessions\/[A-Za-z0-9._~-]{1,128}$/;
const UPLOAD_LINK = /^\/redfish\/v1\/UpdateService\/[A-Za-z0-9._~/-]{1,200}$/;
/** An update/export Location: a task or job named by its JID. */
const JOB_LINK = /^\/redfish\/v1\/[A-Za-z0-9._/-]*\/JID_[0-9A-Za-z_]{1,64}$/;

/**
 * Redfish client for one iDRAC9. Uses a session (X-Auth-Token) and logs in again whenever the
 * iDRAC forgets it — which it does when it resets itself while applying its own firmware.
 * Every answer is validated with zod; failures are DeviceError subclasses.
 */
export class RedfishClient extends SessionClient {
  protected readonly session = new DeviceSession({
    login: () => this.openSession(),
    logout: (token) => this.closeSession(token),
    canLogout: () => this.sessionUri !== undefined,
  });
  private sessionUri: string | undefined;
  /** Discovered once per session: a re-login may follow an iDRAC reset into other firmware. */
  private discovered: Promise<RedfishServiceMap> | undefined;

  constructor(
    http: HttpClient,
    private readonly creds: Credentials,
  ) {
    super(http);
  }

  /** Authenticated request; a 401 triggers one re-login and one retry. */
  async call(
    path: string,
    ro: RequestOptions = {},
  ): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
    return requestWithToken(this.session, this.http, path, ro, () => {
      this.discovered = undefined;
    });
  }

  async get<S extends z.ZodType>(schema: S, path: string, ro: RequestOptions = {}): Promise<z.infer<S>> {
    const res = await this.call(path, ro);
    return parseJson(this.device, `GET ${path}`, schema, res.body);
  }

  async post(path: string, body: unknown, ro: RequestOptions = {}) {
    return this.call(path, {
      retry: false,
      ...ro,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...ro.headers },
      body: JSON.stringify(body),
    });
  }

  private async openSession(): Promise<string> {
    const { token, res } = await loginForToken(this.http, '/redfish/v1/SessionService/Sessions', {
      UserName: this.creds.username,
      Password: this.creds.password,
    });
    // Held even when the Location below is refused: that refusal only keeps logout from sending it elsewhere.
    this.session.set(token);
    const loc = res.headers.location;
    // Logout sends the token to this link: it must be one of this device's sessions.
    this.sessionUri = typeof loc === 'string' ? this.link(loc, SESSION_LINK) : undefined;
    return token;
  }

  private async closeSession(token: string): Promise<void> {
    const uri = this.sessionUri;
    this.sessionUri = undefined;
    if (uri)
      await this.http.request(uri, {
        method: 'DELETE',
        retry: false,
        accept: [401, 404],
        headers: { 'x-auth-token': token },
        timeoutMs: 5000,
      });
  }

  system() {
    return this.get(ComputerSystem, SYSTEM);
  }

  /** A link this iDRAC sent, as a path on this iDRAC (LinkRefusedError `link_refused` otherwise). */
  link(raw: string, pattern: RegExp = REDFISH_LINK): string {
    return deviceLink(this.device, this.baseUrl, raw, pattern);
  }

  /** Where this iDRAC keeps its Dell OEM resources and whether it takes `$expand` (service-map.ts). */
  serviceMap(): Promise<RedfishServiceMap> {
    this.discovered ??= discoverServiceMap({
      device: this.device,
      get: (schema, path) => this.get(schema, path),
      link: (raw) => {
        const path = this.link(raw);
        if (/[?#]/.test(path)) throw new LinkRefusedError(this.device, raw, 'a resource link with a query');
        return path;
      },
    }).catch((err: unknown) => {
      this.discovered = undefined; // a failed discovery is not cached: the next call asks again
      throw err;
    });
    return this.discovered;
  }

  /**
   * Runs `use` with the service map. A re-login during it (the iDRAC reset, perhaps into firmware with another
   * layout) drops the map; a 404 then means the old path, so `use` runs once more with the map found again.
   */
  private async viaMap<T>(use: (map: RedfishServiceMap) => Promise<T>): Promise<T> {
    const current = this.serviceMap();
    const map = await current;
    try {
      return await use(map);
    } catch (err) {
      if (!(err instanceof DeviceHttpError) || err.status !== 404 || this.discovered === current) throw err;
      return use(await this.serviceMap());
    }
  }

  /**
   * Members of a collection (those `keep` accepts, by `@odata.id`), page after page (`Members@odata.nextLink`).
   * With `$expand` when the service says it supports it (one request per page instead of one per member);
   * members that still come back as bare references are fetched one by one. A service that refuses the
   * `$expand` it advertised (400/501) is read without it from then on.
   */
  async members<S extends z.ZodType>(
    schema: S,
    path: string,
    keep: (id: string) => boolean = () => true,
  ): Promise<z.infer<S>[]> {
    const map = await this.serviceMap();
    const expand = map.expand;
    if (expand !== undefined) {
      const res = await this.call(`${path}?$expand=${expand}`, { accept: [400, 501], retry: false });
      if (res.status !== 400 && res.status !== 501) {
        const first = parseJson(this.device, `GET ${path} (expanded)`, Collection, res.body);
        return this.readPages(schema, first, keep);
      }
      this.discovered = Promise.resolve({ ...map, expand: undefined });
    }
    return this.readPages(schema, await this.get(Collection, path), keep);
  }

  private async readPages<S extends z.ZodType>(
    schema: S,
    first: z.infer<typeof Collection>,
    keep: (id: string) => boolean,
  ): Promise<z.infer<S>[]> {
    const out: z.infer<S>[] = [];
    const refs: string[] = [];
    let page: z.infer<typeof Collection> | undefined = first;
    while (page) {
      for (const m of page.Members) {
        if (!keep(m['@odata.id'])) continue;
        const direct = schema.safeParse(m);
        if (direct.success) out.push(direct.data);
        else refs.push(this.link(m['@odata.id']));
      }
      const nextLink: string | undefined = page['Members@odata.nextLink'];
      page = nextLink === undefined ? undefined : await this.get(Collection, this.link(nextLink));
    }
    for (let i = 0; i < refs.length; i += MEMBER_FETCHES) {
      const chunk = refs.slice(i, i + MEMBER_FETCHES);
      out.push(...(await Promise.all(chunk.map((r) => this.get(schema, r)))));
    }
    return out;
  }

  /** Installed firmware only (`Installed-*`); `Previous-*`/`Current-*` are rollback/staging entries. */
  firmwareInventory(): Promise<SoftwareInventory[]> {
    return this.members(SoftwareInventory, '/redfish/v1/UpdateService/FirmwareInventory', (id) =>
      /\/Installed-[^/]*$/.test(id),
    );
  }

  lcStatus(): Promise<z.infer<typeof RemoteServicesStatus>> {
    return this.viaMap(async ({ lcStatusAction }) => {
      const res = await this.post(lcStatusAction, {}, { retry: true });
      return parseJson(this.device, 'GetRemoteServicesAPIStatus', RemoteServicesStatus, res.body);
    });
  }

  jobs(): Promise<DellJob[]> {
    return this.viaMap(({ jobs }) => this.members(DellJob, jobs));
  }

  job(jobId: string): Promise<DellJob> {
    return this.viaMap(({ jobs }) => this.get(DellJob, `${jobs}/${encodeURIComponent(jobId)}`));
  }

  /** `JID_CLEARALL` clears the whole queue (and stale pending data); a job id deletes one job. */
  async deleteJobQueue(jobId: string): Promise<void> {
    // A 404 does nothing on the iDRAC: asking again at the rediscovered path cannot delete twice.
    await this.viaMap(({ deleteJobQueueAction }) => this.post(deleteJobQueueAction, { JobID: jobId }));
  }

  /** Stages an update from a URL the iDRAC pulls itself. Returns the JID from the Location header. */
  async simpleUpdate(imageUri: string, applyTime: 'OnReset' | 'Immediate'): Promise<string> {
    const res = await this.post('/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate', {
      ImageURI: imageUri,
      '@Redfish.OperationApplyTime': applyTime,
    });
    return this.jobIdFrom(res.headers.location, res.body);
  }

  /** The JID of a new job; a Location header, when there is one, must be a job link on this iDRAC. */
  private jobIdFrom(location: unknown, body: Buffer): string {
    if (typeof location === 'string') this.link(location, JOB_LINK);
    return jobIdFrom(this.device, location, body);
  }

  /** Pushes the package bytes (multipart, DMTF UpdateService.MultipartHttpPushUri). */
  async multipartUpdate(file: Buffer, fileName: string, applyTime: 'OnReset' | 'Immediate'): Promise<string> {
    const svc = await this.get(UpdateServiceRoot, '/redfish/v1/UpdateService');
    const uri = this.link(
      svc.MultipartHttpPushUri ?? '/redfish/v1/UpdateService/MultipartUpload',
      UPLOAD_LINK,
    );
    const boundary = `rackops${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
    const params = JSON.stringify({ Targets: [], '@Redfish.OperationApplyTime': applyTime });
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="UpdateParameters"\r\nContent-Type: application/json\r\n\r\n${params}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="UpdateFile"; filename="${fileName.replace(/"/g, '')}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await this.call(uri, {
      method: 'POST',
      retry: false,
      timeoutMs: 600_000,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    return this.jobIdFrom(res.headers.location, res.body);
  }

  async resetSystem(resetType: string): Promise<void> {
    await this.post(`${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: resetType });
  }

  /** Starts an SCP export to the local buffer; returns the JID. */
  async exportScp(target: string, format: 'JSON' | 'XML'): Promise<string> {
    const res = await this.viaMap(({ exportScpAction }) =>
      this.post(exportScpAction, {
        ExportFormat: format,
        ExportUse: 'Default',
        IncludeInExport: 'Default',
        ShareParameters: { Target: target },
      }),
    );
    return this.jobIdFrom(res.headers.location, res.body);
  }

  /**
   * The exported SCP: iDRAC serves the content on the task URI once the job completes
   * (200 with the document); while running it answers 202 with the task.
   */
  async scpContent(jobId: string): Promise<Buffer | undefined> {
    const res = await this.call(`/redfish/v1/TaskService/Tasks/${encodeURIComponent(jobId)}`, {
      accept: [202],
    });
    if (res.status === 202) return undefined;
    const text = res.body.toString('utf8');
    // A JSON body with TaskState is the task itself (not yet content).
    if (/"TaskState"\s*:/.test(text.slice(0, 2000)) && !/"SystemConfiguration"/.test(text.slice(0, 2000)))
      return undefined;
    return res.body;
  }

  virtualMedia(device: 'CD' | 'RemovableDisk') {
    return this.get(VirtualMedia, `${MANAGER}/VirtualMedia/${device}`);
  }

  /** `login`: the share's credentials, sent in the action's own fields (never inside the image URL). */
  async insertMedia(
    device: 'CD' | 'RemovableDisk',
    image: string,
    login?: { username: string; password: string },
  ): Promise<void> {
    await this.post(`${MANAGER}/VirtualMedia/${device}/Actions/VirtualMedia.InsertMedia`, {
      Image: image,
      Inserted: true,
      WriteProtected: true,
      ...(login ? { UserName: login.username, Password: login.password } : {}),
    });
  }

  async ejectMedia(device: 'CD' | 'RemovableDisk'): Promise<void> {
    await this.post(`${MANAGER}/VirtualMedia/${device}/Actions/VirtualMedia.EjectMedia`, {});
  }

  /** A cheap authenticated probe: is the iDRAC answering right now? Never throws. */
  async reachable(): Promise<boolean> {
    try {
      await this.http.request('/redfish/v1', { retry: false, timeoutMs: 5000 });
      return true;
    } catch (err) {
      if (err instanceof DeviceError && !err.retryable) return true; // it answered, just unhappily
      return false;
    }
  }
}

const JidBody = z.looseObject({ Id: z.string().optional(), JobID: z.string().optional() });

/** An iDRAC job id as Dell documents it (`JID_` and digits; `_`/letters for a few OEM jobs): later a file name. */
export const IDRAC_JOB_ID = /^JID_[0-9A-Za-z_]{1,64}$/;

/** The job id an iDRAC answered with (Location header, else body); anything else is a malformed answer. */
export function jobIdFrom(device: string, location: unknown, body: Buffer): string {
  if (typeof location === 'string') {
    const m = /(JID_[0-9A-Za-z_]{1,64})/.exec(location);
    if (m?.[1]) return m[1];
  }
  if (body.length > 0) {
    try {
      const b = JidBody.parse(JSON.parse(body.toString('utf8')));
      const id = b.Id ?? b.JobID;
      if (id && IDRAC_JOB_ID.test(id)) return id;
    } catch {
      // fall through
    }
  }
  throw new MalformedResponseError(`${device} update`, 'no job id in Location header or body');
}
