import type { LabConfigInput } from '../../src/config/lab-config.schema';
import { type Lab, type StartLabOptions, startLab } from '../../src/index';
import type { IdracJob } from '../../src/world/types';
import { type Client, createClient } from './https-client';
import { smallLab } from './small-lab';

/** Real durations are divided by 6,000: a 6-minute reboot takes ~60 ms. */
export const TEST_TIME_SCALE = 1 / 6000;

export interface LabFixture {
  lab: Lab;
  /** A Basic-auth client per host, by service tag. */
  client(hostId: string): Client;
  /** Every Dell job state a host's jobs went through, in order, by job id (from world events). */
  jobStates(jobId: string): string[];
  stop(): Promise<void>;
}

export async function startTestLab(
  config: LabConfigInput = smallLab(2),
  opts: StartLabOptions = {},
): Promise<LabFixture> {
  const lab = await startLab(config, {
    timeScale: TEST_TIME_SCALE,
    services: { vcenter: false, ome: false, catalog: false },
    ...opts,
  });
  const clients = new Map<string, Client>();
  const states = new Map<string, string[]>();
  lab.world.events.on('job-updated', ({ job }: { job: IdracJob }) => {
    const list = states.get(job.id) ?? [];
    if (list.at(-1) !== job.state) list.push(job.state);
    states.set(job.id, list);
  });
  return {
    lab,
    client(hostId) {
      let c = clients.get(hostId);
      if (!c) {
        const e = lab.endpoints.idracs.find((x) => x.hostId === hostId);
        if (!e) throw new Error(`no iDRAC for ${hostId}`);
        c = createClient(e.url, { ca: lab.tls.ca, auth: { username: e.username, password: e.password } });
        clients.set(hostId, c);
      }
      return c;
    },
    jobStates: (id) => states.get(id) ?? [],
    async stop() {
      for (const c of clients.values()) c.close();
      await lab.stop();
    },
  };
}
