import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { CommandParams } from '@rackops/core/relay/commands';
import { listenTls } from '@rackops/lab/http/listen-tls';
import { createLabCert } from '@rackops/lab/tls/lab-cert';
import { createScpExportHandler } from '@rackops/relay-agent/commands/scp-export.handler';
import type { CommandContext } from '@rackops/relay-agent/commands/command-context';
import { parseConfig } from '@rackops/relay-agent/config/load-config';
import { buildDevices } from '@rackops/relay-agent/devices/build-devices';
import { fileInside } from '@rackops/relay-agent/fs/file-inside';
import { FolderBackupStore } from '@rackops/relay-agent/scp/folder-backup-store';
import { pino } from 'pino';
import type { AttackCatalogue, AttackOutcome } from './attack';

/**
 * Item 1 of the hardening issue: a hostile or compromised iDRAC names the SCP export's job, and that name used
 * to become a file path. A loopback HTTPS server plays the iDRAC (session, export, task content) and answers
 * each export with a hostile job id — in the Location header, the body's Id or JobID, or both. The agent's
 * real Redfish client (TLS pinned to it) and real SCP export handler write to a real folder; an attack is
 * refused when the handler throws or writes only inside its folder under a plain JID, and nothing appears
 * anywhere else. File names built from device-sent ids go through the agent's `fileInside` too.
 */

const TRAVERSALS = [
  '/../../../owned',
  '/../../owned',
  '/..',
  '..',
  '../',
  '..\\..\\owned',
  '%2e%2e%2fowned',
  '%2e%2e/%2e%2e/owned',
  '..%2f..%2fowned',
  '\u2025/owned',
  '\uff0e\uff0e/owned',
  '/./../owned',
  '\0/../owned',
  '\n../owned',
  '/etc/passwd',
  '//tmp/owned',
  'C:\\Windows\\owned',
  '$(touch owned)',
  '`touch owned`',
  ' ../owned',
];

const hostileIds = (): string[] => [
  ...TRAVERSALS.map((t) => `JID_${t}`),
  ...TRAVERSALS.map((t) => `JID_123${t}`),
  `JID_${'9'.repeat(65)}`,
  `JID_${'9'.repeat(5000)}`,
  'JID_',
  '../JID_1',
  '/tmp/JID_1',
];

type Delivery = 'location' | 'body-id' | 'body-jobid';
const DELIVERIES: Delivery[] = ['location', 'body-id', 'body-jobid'];

interface HostileAnswer {
  id: string;
  via: Delivery;
}

function hostileIdrac(answer: () => HostileAnswer) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      if (req.method === 'POST' && url === '/redfish/v1/SessionService/Sessions') {
        res.writeHead(201, {
          'x-auth-token': 'hostile-session',
          location: '/redfish/v1/SessionService/Sessions/1',
          'content-type': 'application/json',
        });
        return res.end('{}');
      }
      if (req.method === 'POST' && url.includes('ExportSystemConfiguration')) {
        const a = answer();
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        // Header values cannot carry control characters; the raw bytes go in the body instead.
        if (a.via === 'location' && /^[\x20-\x7e]*$/.test(a.id))
          headers.location = `/redfish/v1/TaskService/Tasks/${a.id}`;
        const body = a.via === 'body-jobid' ? { JobID: a.id } : { Id: a.id };
        res.writeHead(202, headers);
        return res.end(JSON.stringify(body));
      }
      if (req.method === 'GET' && url.startsWith('/redfish/v1/TaskService/Tasks/')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ SystemConfiguration: { Model: 'hostile', Components: [] } }));
      }
      res.writeHead(req.method === 'DELETE' ? 200 : 404);
      res.end();
    });
  };
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const inside = (root: string, file: string) => resolve(file).startsWith(resolve(root) + sep);

export const run: AttackCatalogue = async () => {
  const root = mkdtempSync(join(tmpdir(), 'rackops-bench-paths-'));
  // The agent's SCP folder sits two levels down, so `../..` lands in `root`, which we watch.
  const scpDir = join(root, 'agent', 'relay', 'scp');
  const cert = await createLabCert();
  let current: HostileAnswer = { id: 'JID_1', via: 'location' };
  const server = await listenTls(
    { cert },
    hostileIdrac(() => current),
  );
  const config = parseConfig({
    signingKey: 'k'.repeat(40),
    queues: { commandsUrl: 'https://sqs.invalid/c.fifo', resultsUrl: 'https://sqs.invalid/r' },
    http: { retries: 1, retryBaseMs: 1 },
    devices: {
      idracs: {
        HOSTILE1: {
          url: server.url,
          credentials: { username: 'root', password: 'calvin' },
          tls: { mode: 'pin', sha256: cert.sha256 },
        },
      },
    },
  });
  const devices = buildDevices(config);
  const handler = createScpExportHandler({
    devices,
    store: new FolderBackupStore(scpDir, 'bench'),
    timeoutMs: 5000,
  });
  const log = pino({ level: 'silent' });
  const outcomes: AttackOutcome[] = [];
  const ctx = (): CommandContext => {
    const memo = new Map<string, unknown>();
    return {
      commandId: 'cmd-paths',
      kind: 'scp.export',
      target: { type: 'idrac', id: 'HOSTILE1' },
      jobId: undefined,
      signal: new AbortController().signal,
      log,
      attempt: 1,
      pollIntervalMs: 1,
      progress: async () => undefined,
      memo: { get: <T>(k: string) => memo.get(k) as T | undefined, set: (k, v) => void memo.set(k, v) },
      sleep: async () => undefined,
      now: () => new Date(),
    };
  };
  try {
    for (const id of hostileIds())
      for (const via of DELIVERIES)
        for (const format of ['JSON', 'XML'] as const) {
          current = { id, via };
          const name = `scp.export JID ${JSON.stringify(id.slice(0, 40))} via ${via} (${format})`;
          const before = new Set(filesUnder(root));
          let detail: string;
          let wroteSafely = false;
          try {
            const out = await handler(CommandParams['scp.export'].parse({ format }), ctx());
            const file = out.file ?? '';
            wroteSafely = inside(scpDir, file) && /^JID_[0-9A-Za-z_]{1,64}$/.test(out.jobId);
            detail = `wrote ${file.slice(root.length)} as ${out.jobId}`;
          } catch (err) {
            detail = err instanceof Error ? err.message.slice(0, 160) : String(err);
          }
          const outside = filesUnder(root).filter((f) => !before.has(f) && !inside(scpDir, f));
          const absolute = ['/tmp/owned', '/owned', join(tmpdir(), 'owned')].filter((f) => existsSync(f));
          const refused =
            outside.length === 0 && absolute.length === 0 && (wroteSafely || !detail.startsWith('wrote'));
          outcomes.push({
            area: 'device-paths',
            name,
            refused,
            detail:
              outside.length || absolute.length
                ? `ESCAPED to ${[...outside, ...absolute].join(', ')}`
                : detail,
          });
        }
    // Names built from device- or cloud-sent ids (target ids, JIDs) straight through the agent's guard.
    const names = [
      ...TRAVERSALS.map((t) => `HOST1-JID_1${t}.xml`),
      ...TRAVERSALS.map((t) => `${t}.json`),
      ...TRAVERSALS,
      '',
      '.',
      '.hidden',
      'a/b.xml',
      'x'.repeat(300),
    ];
    for (const n of names) {
      let refused = false;
      let detail: string;
      try {
        const file = fileInside(scpDir, n);
        refused = inside(scpDir, file) && !n.includes('..');
        detail = `accepted as ${file.slice(root.length)}`;
      } catch (err) {
        refused = true;
        detail = (err as Error).message.slice(0, 160);
      }
      outcomes.push({
        area: 'device-paths',
        name: `file name ${JSON.stringify(n.slice(0, 40))}`,
        refused,
        detail,
      });
    }
  } finally {
    await devices.close();
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
  return outcomes;
};
