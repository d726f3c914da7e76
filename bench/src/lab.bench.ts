import { request } from 'node:https';
import { startLab } from '@rackops/lab/index';
import { generateLab } from '@rackops/lab/generator';
import { childJson } from './support/child-json';

/**
 * `npm run bench -- lab [--hosts 2000]`: start time of the default lab (target < 2 s), then
 * start time and resident memory of a generated large lab (targets < 30 s, < 1.5 GiB),
 * measured in a fresh child process so the figure is the lab's alone.
 */
const LARGE_HOSTS = 2000;

function get(url: string, ca: string, auth: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL('/redfish/v1/Systems/System.Embedded.1', url),
      { ca, headers: { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` }, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Child mode: start a large lab, probe a sample of iDRACs, print one JSON line, exit. */
async function child(hosts: number): Promise<void> {
  const config = generateLab({ hosts });
  const t = performance.now();
  const lab = await startLab(config);
  const startS = (performance.now() - t) / 1000;
  // Probe a spread of iDRACs: the lab must serve, not just listen.
  const sample = lab.endpoints.idracs.filter((_, i) => i % Math.max(1, Math.floor(hosts / 20)) === 0);
  const statuses = await Promise.all(
    sample.map((e) => get(e.url, lab.tls.ca, `${e.username}:${e.password}`)),
  );
  global.gc?.();
  const rssMiB = process.memoryUsage().rss / 1048576;
  const out = {
    startS,
    rssMiB,
    hosts: lab.world.hosts.size,
    vms: lab.world.vms.size,
    idracs: lab.endpoints.idracs.length,
    vcenters: lab.endpoints.vcenters.length,
    omes: lab.endpoints.omes.length,
    probesOk: statuses.every((s) => s === 200),
  };
  await lab.stop();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(hosts: number): Promise<{
  startS: number;
  rssMiB: number;
  hosts: number;
  vms: number;
  idracs: number;
  vcenters: number;
  omes: number;
  probesOk: boolean;
}> {
  return childJson(
    [...process.execArgv, process.argv[1]!, 'lab', '--child', String(hosts)],
    'large-lab child',
  );
}

export async function run(args: string[]): Promise<void> {
  const childAt = args.indexOf('--child');
  if (childAt !== -1) {
    await child(Number(args[childAt + 1] ?? LARGE_HOSTS));
    return;
  }
  const hostsAt = args.indexOf('--hosts');
  const largeHosts = hostsAt !== -1 ? Number(args[hostsAt + 1]) : LARGE_HOSTS;

  // Default lab, cold: the first start in this process also reads and indexes the capture.
  const t = performance.now();
  const lab = await startLab();
  const defaultStartS = (performance.now() - t) / 1000;
  await lab.stop();
  const t2 = performance.now();
  const again = await startLab();
  const warmStartS = (performance.now() - t2) / 1000;
  const defaultCounts = {
    idracs: again.endpoints.idracs.length,
    vcenters: again.endpoints.vcenters.length,
    omes: again.endpoints.omes.length,
  };
  await again.stop();

  const large = await runChild(largeHosts);
  const rows = [
    [
      'default lab start (cold)',
      `${defaultStartS.toFixed(3)} s`,
      '< 2 s',
      `${defaultCounts.idracs} iDRACs, ${defaultCounts.vcenters} vCenters, ${defaultCounts.omes} OMEs`,
    ],
    ['default lab start (warm)', `${warmStartS.toFixed(3)} s`, '', 'capture already loaded'],
    [
      `${large.hosts}-host lab start`,
      `${large.startS.toFixed(2)} s`,
      '< 30 s',
      `${large.vms} VMs, ${large.vcenters} vCenters, ${large.omes} OMEs`,
    ],
    [
      `${large.hosts}-host lab RSS`,
      `${large.rssMiB.toFixed(0)} MiB`,
      '< 1536 MiB',
      `sampled iDRACs answer: ${large.probesOk}`,
    ],
  ];
  console.log('| measure | value | target | notes |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log(
    JSON.stringify({
      bench: 'lab',
      default_start_s: Number(defaultStartS.toFixed(3)),
      large_hosts: large.hosts,
      large_vms: large.vms,
      large_start_s: Number(large.startS.toFixed(2)),
      large_rss_mib: Math.round(large.rssMiB),
    }),
  );
}
