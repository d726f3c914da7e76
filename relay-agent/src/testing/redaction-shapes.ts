/**
 * Things a handler might log by mistake, each with the secrets it carries. Shared by the log-redaction test
 * and the security bench (the bench's redaction area runs the same shapes, and generated variants, through
 * the real logger).
 */
export interface RedactionShape {
  name: string;
  /** What is logged: the merge object (and message), or a child logger's bindings. */
  log: { obj?: Record<string, unknown>; msg?: string; bindings?: Record<string, unknown> };
  secrets: string[];
}

const soapLogin =
  '<soapenv:Envelope><soapenv:Body><Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this>' +
  '<userName>administrator@vsphere.local</userName><password>S0ap-Secret!</password></Login></soapenv:Body></soapenv:Envelope>';

export const REDACTION_SHAPES: RedactionShape[] = [
  { name: 'password at the top', log: { obj: { password: 'pw-top-1' } }, secrets: ['pw-top-1'] },
  { name: 'Password capitalised', log: { obj: { Password: 'pw-cap-2' } }, secrets: ['pw-cap-2'] },
  {
    name: 'capitalised Authorization header at depth 3',
    log: { obj: { req: { http: { headers: { Authorization: 'Basic cm9vdDpjYWx2aW4z' } } } } },
    secrets: ['cm9vdDpjYWx2aW4z'],
  },
  {
    name: 'X-Auth-Token at depth 3',
    log: { obj: { res: { raw: { headers: { 'X-Auth-Token': 'xat-depth3' } } } } },
    secrets: ['xat-depth3'],
  },
  {
    name: 'set-cookie header',
    log: { obj: { headers: { 'set-cookie': ['vmware_soap_session="sess-5"; Path=/'] } } },
    secrets: ['sess-5'],
  },
  {
    name: 'Set-Cookie capitalised at depth 3',
    log: { obj: { a: { b: { 'Set-Cookie': 'sid=cookie-6' } } } },
    secrets: ['cookie-6'],
  },
  {
    name: 'password at depth 4',
    log: { obj: { a: { b: { c: { password: 'pw-depth4' } } } } },
    secrets: ['pw-depth4'],
  },
  {
    name: 'token at depth 6',
    log: { obj: { a: { b: { c: { d: { e: { token: 'tok-depth6' } } } } } } },
    secrets: ['tok-depth6'],
  },
  {
    name: 'password inside an https URL',
    log: { obj: { url: 'https://root:url-pass-9@10.0.0.5/redfish/v1' } },
    secrets: ['url-pass-9'],
  },
  {
    name: 'password inside an nfs URL in the message',
    log: { msg: 'mounting nfs://admin:nfs-pass-10@filer/images/esx.iso' },
    secrets: ['nfs-pass-10'],
  },
  {
    name: 'password in a query string',
    log: { obj: { target: 'https://repo/x.exe?user=a&password=q-pass-11' } },
    secrets: ['q-pass-11'],
  },
  { name: 'SOAP Login body as a string', log: { obj: { body: soapLogin } }, secrets: ['S0ap-Secret!'] },
  { name: 'SOAP Login body as the message', log: { msg: soapLogin }, secrets: ['S0ap-Secret!'] },
  { name: 'passwd', log: { obj: { user: { passwd: 'passwd-14' } } }, secrets: ['passwd-14'] },
  { name: 'secret', log: { obj: { relay: { secret: 'secret-15' } } }, secrets: ['secret-15'] },
  { name: 'apiKey', log: { obj: { ome: { apiKey: 'apikey-16' } } }, secrets: ['apikey-16'] },
  { name: 'api_key snake case', log: { obj: { api_key: 'apikey-17' } }, secrets: ['apikey-17'] },
  {
    name: 'microsoftAppPassword',
    log: { obj: { config: { bot: { microsoftAppPassword: 'msapp-18' } } } },
    secrets: ['msapp-18'],
  },
  {
    name: 'MicrosoftAppPassword in env shape',
    log: { obj: { env: { MICROSOFT_APP_PASSWORD: 'msapp-19' } } },
    secrets: ['msapp-19'],
  },
  {
    name: 'signingKey inline in a config',
    log: { obj: { config: { signing: { signingKey: 'sk-20-0123456789abcdef' } } } },
    secrets: ['sk-20-0123456789abcdef'],
  },
  {
    name: 'privateKey PEM',
    log: { obj: { tls: { privateKey: '-----BEGIN PRIVATE KEY-----MIIEv21' } } },
    secrets: ['MIIEv21'],
  },
  {
    name: 'device credentials object',
    log: { obj: { device: { credentials: { username: 'root', password: 'cred-22' } } } },
    secrets: ['cred-22'],
  },
  {
    name: 'devicePassword suffix',
    log: { obj: { idrac: { devicePassword: 'devpw-23' } } },
    secrets: ['devpw-23'],
  },
  {
    name: 'taskToken',
    log: { obj: { envelope: { taskToken: 'AAAA-task-token-24' } } },
    secrets: ['AAAA-task-token-24'],
  },
  {
    name: 'secret in a child logger binding',
    log: { bindings: { device: { password: 'bind-25' } }, msg: 'child' },
    secrets: ['bind-25'],
  },
  {
    name: 'URL password in a child logger binding',
    log: { bindings: { endpoint: 'https://u:bind-url-26@vc.lab' }, msg: 'child' },
    secrets: ['bind-url-26'],
  },
  {
    name: 'secrets inside an array',
    log: {
      obj: {
        hosts: [
          { id: 'a', password: 'arr-27' },
          { id: 'b', token: 'arr-28' },
        ],
      },
    },
    secrets: ['arr-27', 'arr-28'],
  },
  {
    name: 'an Error whose message carries a URL password',
    log: { obj: { err: new Error('GET https://root:err-pw-29@idrac/redfish failed') } },
    secrets: ['err-pw-29'],
  },
  {
    name: 'an Error with a secret property',
    log: {
      obj: {
        err: Object.assign(new Error('boom'), { config: { headers: { Authorization: 'Bearer err-30' } } }),
      },
    },
    secrets: ['err-30'],
  },
  {
    name: 'a dumped request with an Authorization header line',
    log: { msg: 'POST /redfish/v1/SessionService\r\nAuthorization: Basic aGVhZGVyLWxpbmUtMzE=\r\nHost: x' },
    secrets: ['aGVhZGVyLWxpbmUtMzE='],
  },
  { name: 'clientSecret', log: { obj: { aad: { client_secret: 'cs-32' } } }, secrets: ['cs-32'] },
  {
    name: 'cookie header in lower case at depth 5',
    log: { obj: { a: { b: { c: { headers: { cookie: 'vmware_soap_session=c-33' } } } } } },
    secrets: ['c-33'],
  },
  { name: 'sessionId', log: { obj: { session: { sessionId: 'sid-34' } } }, secrets: ['sid-34'] },
  {
    name: 'signature',
    log: { obj: { envelope: { sig: 'sig-35', signature: 'sig-36' } } },
    secrets: ['sig-35', 'sig-36'],
  },
];
