import { deviceLink } from '../http/device-link';
import { DeviceHttpError, MalformedResponseError } from '../http/errors';
import { type HttpClient, parseJson, type RequestOptions } from '../http/http-client';
import type { Credentials } from '../redfish/redfish-client';
import { OmeDevice, OmeInventoryDetails, OmePage, type OmeSoftware } from './ome.schemas';
import type { z } from 'zod';

/** OME's own API paths: where a nextLink may lead. */
const OME_LINK = /^\/api\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/;

/** OpenManage Enterprise REST client: API session (X-Auth-Token), paged device lists, firmware inventory. */
export class OmeClient {
  private token: string | undefined;
  private loggingIn: Promise<void> | undefined;

  constructor(
    private readonly http: HttpClient,
    private readonly creds: Credentials,
  ) {}

  get device(): string {
    return this.http.device;
  }

  login(): Promise<void> {
    this.loggingIn ??= (async () => {
      const res = await this.http.request('/api/SessionService/Sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          UserName: this.creds.username,
          Password: this.creds.password,
          SessionType: 'API',
        }),
      });
      const t = res.headers['x-auth-token'];
      if (typeof t !== 'string' || t === '')
        throw new MalformedResponseError(`${this.device} login`, 'no X-Auth-Token header');
      this.token = t;
    })().finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  async get<S extends z.ZodType>(schema: S, path: string, ro: RequestOptions = {}): Promise<z.infer<S>> {
    if (!this.token) await this.login();
    const send = () =>
      this.http.request(path, {
        ...ro,
        accept: [401],
        headers: { ...ro.headers, 'x-auth-token': this.token ?? '' },
      });
    let res = await send();
    if (res.status === 401) {
      this.token = undefined;
      await this.login();
      res = await send();
      if (res.status === 401)
        throw new DeviceHttpError(`${this.device} ${path}`, 401, 'session rejected after re-login');
    }
    return parseJson(this.device, `GET ${path}`, schema, res.body);
  }

  /** Devices page by page, following `@odata.nextLink` (OME caps `$top`). */
  async *devices(pageSize: number): AsyncGenerator<OmeDevice[]> {
    let next: string | undefined = `/api/DeviceService/Devices?$top=${pageSize}&$skip=0`;
    const Page = OmePage(OmeDevice);
    while (next) {
      const page: z.infer<typeof Page> = await this.get(Page, next);
      if (page.value.length > 0) yield page.value;
      const link = page['@odata.nextLink'] ?? undefined;
      next = link === undefined ? undefined : deviceLink(this.http.device, this.http.baseUrl, link, OME_LINK);
    }
  }

  async firmware(deviceId: number): Promise<OmeSoftware[]> {
    const r = await this.get(
      OmeInventoryDetails,
      `/api/DeviceService/Devices(${deviceId})/InventoryDetails('deviceSoftware')`,
    );
    return r.InventoryInfo;
  }
}
