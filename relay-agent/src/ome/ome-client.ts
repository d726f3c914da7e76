import { deviceLink } from '../http/device-link';
import { DeviceSession, SessionClient, loginForToken, requestWithToken } from '../http/device-session';
import { type HttpClient, parseJson, type RequestOptions } from '../http/http-client';
import type { Credentials } from '../redfish/redfish-client';
import { OmeDevice, OmeInventoryDetails, OmePage, type OmeSoftware } from './ome.schemas';
import type { z } from 'zod';

/** OME's own API paths: where a nextLink may lead. */
const OME_LINK = /^\/api\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/;

/** OpenManage Enterprise REST client: API session (X-Auth-Token), paged device lists, firmware inventory. */
export class OmeClient extends SessionClient {
  protected readonly session = new DeviceSession({ login: () => this.openSession() });

  constructor(
    http: HttpClient,
    private readonly creds: Credentials,
  ) {
    super(http);
  }

  private async openSession(): Promise<string> {
    const { token } = await loginForToken(this.http, '/api/SessionService/Sessions', {
      UserName: this.creds.username,
      Password: this.creds.password,
      SessionType: 'API',
    });
    return token;
  }

  async get<S extends z.ZodType>(schema: S, path: string, ro: RequestOptions = {}): Promise<z.infer<S>> {
    const res = await requestWithToken(this.session, this.http, path, ro);
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
