import { CommandParams } from '@rackops/core/relay/commands';
import { startLoopbackDns } from '@rackops/lab/dns/loopback-dns';
import { type Lab, startLab } from '@rackops/lab/index';
import { smallLab } from '@rackops/lab/testing/small-lab';
import { labDevices } from '@rackops/local/runtime/in-process-agent';
import type { CommandContext } from '@rackops/relay-agent/commands/command-context';
import { createMediaInsertHandler } from '@rackops/relay-agent/commands/media-insert.handler';
import { createStageFirmwareHandler } from '@rackops/relay-agent/commands/stage-firmware.handler';
import { parseConfig } from '@rackops/relay-agent/config/load-config';
import { buildDevices } from '@rackops/relay-agent/devices/build-devices';
import { createOutbound } from '@rackops/relay-agent/net/outbound';
import { serversResolve } from '@rackops/relay-agent/net/url-guard';
import { pino } from 'pino';
import type { AttackCatalogue, AttackOutcome } from './attack';

/** Names an attacker controls, served by a real DNS server on loopback. */
const ZONE: Record<string, string[]> = {
  'images.example': ['93.184.216.34'],
  'nas1.dc1.example': ['10.1.1.1'],
  'repo.dc1.example': ['10.1.1.2'],
  'meta.attacker.example': ['169.254.169.254'],
  'meta6.attacker.example': ['fd00:ec2::254'],
  'mapped.attacker.example': ['::ffff:169.254.169.254'],
  'loop.attacker.example': ['127.0.0.1'],
  'loop6.attacker.example': ['::1'],
  'mixed.attacker.example': ['93.184.216.34', '127.0.0.1'],
  'mixed6.attacker.example': ['93.184.216.34', 'fe80::1'],
  'private.attacker.example': ['10.0.0.5'],
  'cgnat.attacker.example': ['100.64.0.1'],
  'zero.attacker.example': ['0.0.0.0'],
  'll.attacker.example': ['169.254.1.1'],
  'mcast.attacker.example': ['224.0.0.251'],
  'empty.attacker.example': [],
};

/** Hosts that must never be reached: every spelling of metadata, loopback, private, unspecified, link-local… */
const HOSTILE_HOSTS = [
  // metadata
  '169.254.169.254',
  '2852039166',
  '0xa9fea9fe',
  '0251.0376.0251.0376',
  '0xa9.0xfe.0xa9.0xfe',
  '169.254.43518',
  '0251.254.169.254',
  '169.254.169.254.',
  '%31%36%39.254.169.254',
  '169。254。169。254',
  '[::ffff:169.254.169.254]',
  '[::ffff:a9fe:a9fe]',
  '[0:0:0:0:0:ffff:a9fe:a9fe]',
  '[::169.254.169.254]',
  '[64:ff9b::a9fe:a9fe]',
  '[2002:a9fe:a9fe::]',
  '[fd00:ec2::254]',
  '169.254.170.2',
  '100.100.100.200',
  'meta.attacker.example',
  'meta6.attacker.example',
  'mapped.attacker.example',
  // loopback
  '127.0.0.1',
  '127.1',
  '2130706433',
  '0x7f000001',
  '0177.0.0.1',
  '0x7f.0.0.1',
  '127.000.000.001',
  '127.255.255.254',
  '１２７.0.0.1',
  '[::1]',
  '[0:0:0:0:0:0:0:1]',
  '[::ffff:127.0.0.1]',
  '[::ffff:7f00:1]',
  'localhost',
  'LOCALHOST',
  'loop.attacker.example',
  'loop6.attacker.example',
  'mixed.attacker.example',
  'mixed6.attacker.example',
  // private and shared
  '10.0.0.1',
  '10.1',
  '167772161',
  '0xa000001',
  '172.16.0.1',
  '172.31.255.254',
  '192.168.0.1',
  '100.64.0.1',
  '[fd12::1]',
  '[fc00::1]',
  '[fec0::1]',
  'private.attacker.example',
  'cgnat.attacker.example',
  // unspecified, link-local, multicast, broadcast, unresolvable
  '0.0.0.0',
  '0',
  '[::]',
  'zero.attacker.example',
  '169.254.1.1',
  '[fe80::1]',
  'll.attacker.example',
  '224.0.0.1',
  '[ff02::1]',
  'mcast.attacker.example',
  '255.255.255.255',
  'empty.attacker.example',
  'nxdomain.attacker.example',
];

const BAD_SCHEMES = [
  'http',
  'file',
  'ftp',
  'gopher',
  'dict',
  'ldap',
  'tftp',
  'smb',
  'sftp',
  'ws',
  'wss',
  'jar',
  'netdoc',
];

/** Userinfo and parser-confusion shapes (credentials in URLs, hosts hidden behind `@`, `\`, whitespace). */
const CONFUSING = [
  'https://user:pw@images.example/x.iso',
  'https://user@images.example/x.iso',
  'https://:pw@images.example/x.iso',
  'https://images.example@169.254.169.254/x.iso',
  'https://images.example%40169.254.169.254/x.iso',
  'nfs://u:p@nas1.dc1.example/export/x.iso',
  'cifs://DOM;u:p@nas1.dc1.example/share/x.iso',
  'https://images.example\\@169.254.169.254/x.iso',
  'https:/\\169.254.169.254/x.iso',
  'https:\\\\169.254.169.254/x.iso',
  'https:169.254.169.254/x.iso',
  'https://images.example /x.iso',
  'https://images.example\t/x.iso',
  'https://images.example\n.169.254.169.254/x.iso',
  'https://169.254.169.254#@images.example/x.iso',
  'https://169.254.169.254?@images.example/x.iso',
  `https://images.example/${'a'.repeat(3000)}.iso`,
  'javascript:alert(1)',
  'data:text/plain,hello',
  '//169.254.169.254/x.iso',
  'not a url',
  '',
];

/** Firmware URLs: only https to repository.hosts. */
const FIRMWARE_ONLY = [
  'https://images.example/BIOS.EXE',
  'https://repo.dc1.example.attacker.example/BIOS.EXE',
  'https://repo.dc1.example@169.254.169.254/BIOS.EXE',
  'http://repo.dc1.example/BIOS.EXE',
  'ftp://repo.dc1.example/BIOS.EXE',
  'nfs://repo.dc1.example/BIOS.EXE',
  'cifs://repo.dc1.example/BIOS.EXE',
  'file:///etc/passwd',
];

function ctx(target: string): CommandContext {
  const memo = new Map<string, unknown>();
  return {
    commandId: `attack-${Math.random().toString(16).slice(2)}`,
    kind: 'media.insert',
    target: { type: 'idrac', id: target },
    jobId: undefined,
    signal: new AbortController().signal,
    log: pino({ level: 'silent' }),
    attempt: 1,
    pollIntervalMs: 10,
    progress: async () => {},
    memo: { get: <T>(k: string) => memo.get(k) as T | undefined, set: (k, v) => memo.set(k, v) },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms ?? 10)),
    now: () => new Date(),
  };
}

const HOST = 'TEST001';

/**
 * Hundreds of SSRF variants through the agent's own edge (the command's zod params) and its real handlers,
 * with real DNS answers from a loopback server, against the lab's iDRAC. Refused = the params or the guard
 * said no (`malformed`/`url_refused`) and the lab's iDRAC was not touched (no media inserted, no update job).
 */
export const run: AttackCatalogue = async () => {
  const dns = await startLoopbackDns(ZONE);
  const lab: Lab = await startLab(smallLab(1), {
    timeScale: 1 / 6000,
    services: { vcenter: false, ome: false, catalog: false, control: false },
  });
  const cfg = parseConfig({
    signingKey: 'bench-signing-key-0123456789abcdef-0123',
    queues: { commandsUrl: 'unused', resultsUrl: 'unused' },
    metrics: { port: null },
    repository: { hosts: ['repo.dc1.example'] },
    media: { allowHosts: ['nas1.dc1.example'] },
    http: { timeoutMs: 3000, retries: 1, retryBaseMs: 10 },
    devices: labDevices(lab),
  });
  const devices = buildDevices(cfg);
  const outbound = createOutbound(cfg, serversResolve([dns.server]));
  const insert = createMediaInsertHandler(devices, outbound);
  const stage = createStageFirmwareHandler({
    devices,
    guard: outbound.guard,
    fetchPackage: async () => Buffer.from('never fetched in a refusal'),
  });
  const world = lab.world.host(HOST);
  const updateJobs = () => [...world.jobs.values()].filter((j) => j.update).length;
  const out: AttackOutcome[] = [];

  const media = async (name: string, image: string) => {
    const parsed = CommandParams['media.insert'].safeParse({ image });
    let answer = 'accepted';
    if (!parsed.success) answer = 'malformed';
    else {
      try {
        await insert(parsed.data, ctx(HOST));
      } catch (err) {
        answer = (err as { code?: string }).code ?? 'error';
      }
    }
    const touched = world.virtualMedia.CD.inserted;
    Object.assign(world.virtualMedia.CD, { inserted: false, image: undefined, connectedVia: 'NotConnected' });
    const refused = (answer === 'malformed' || answer === 'url_refused') && !touched;
    out.push({
      area: 'urls',
      name: `media ${name}`,
      refused,
      detail: `${answer}${touched ? ', inserted' : ''}`,
    });
  };
  const firmware = async (name: string, url: string) => {
    const pkg = { componentId: '159', name: 'BIOS', version: '9.9.9', url };
    const parsed = CommandParams['firmware.stage'].safeParse({ packages: [pkg] });
    const before = updateJobs();
    let answer = 'accepted';
    if (!parsed.success) answer = 'malformed';
    else {
      try {
        await stage(parsed.data, { ...ctx(HOST), kind: 'firmware.stage' });
      } catch (err) {
        answer = (err as { code?: string }).code ?? 'error';
      }
    }
    const touched = updateJobs() !== before;
    const refused = (answer === 'malformed' || answer === 'url_refused') && !touched;
    out.push({
      area: 'urls',
      name: `firmware ${name}`,
      refused,
      detail: `${answer}${touched ? ', job' : ''}`,
    });
  };

  try {
    for (const host of HOSTILE_HOSTS) {
      for (const scheme of ['https', 'nfs', 'cifs'])
        await media(`${scheme} ${host}`, `${scheme}://${host}/x.iso`);
      await media(`https ${host} with port`, `https://${host}:8443/x.iso`);
      await firmware(`https ${host}`, `https://${host}/BIOS.EXE`);
    }
    for (const scheme of BAD_SCHEMES) {
      await media(`scheme ${scheme}`, `${scheme}://images.example/x.iso`);
      await firmware(`scheme ${scheme}`, `${scheme}://repo.dc1.example/BIOS.EXE`);
    }
    for (const url of CONFUSING) {
      await media(`shape ${JSON.stringify(url.slice(0, 60))}`, url);
      await firmware(`shape ${JSON.stringify(url.slice(0, 60))}`, url.replace(/x\.iso$/, 'BIOS.EXE'));
    }
    for (const url of FIRMWARE_ONLY) await firmware(`only ${url}`, url);
    for (const host of ['files.elsewhere.example', 'images.example'])
      for (const scheme of ['nfs', 'cifs'])
        await media(`${scheme} off the allow-list ${host}`, `${scheme}://${host}/x.iso`);
  } finally {
    await devices.close();
    await lab.stop();
    await dns.close();
  }
  return out;
};
