import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import type { DeviceRegistry } from '../devices/device-registry';
import { fileInside } from '../fs/file-inside';
import { DeviceTimeoutError } from '../http/errors';
import type { CommandHandler } from './command-context';
import { pollBackoff } from './poll-backoff';

/**
 * scp.export — one export job per command: the JID is kept in the ledger, so a resumed command
 * polls that job instead of starting another. The profile is written on-prem (it may hold
 * configuration secrets); only where it is, its size and SHA-256 travel in the result.
 */
export function createScpExportHandler(deps: {
  devices: DeviceRegistry;
  dir: string;
  timeoutMs?: number;
}): CommandHandler<'scp.export'> {
  return async (params, ctx) => {
    const rf = deps.devices.idrac(ctx.target.id);
    let jid = ctx.memo.get<string>('jid');
    if (!jid) {
      jid = await rf.exportScp(params.target, params.format);
      ctx.memo.set('jid', jid);
    }
    const deadline = Date.now() + (deps.timeoutMs ?? 900_000);
    const delay = pollBackoff(ctx.pollIntervalMs);
    for (;;) {
      const content = await rf.scpContent(jid);
      if (content) {
        await mkdir(deps.dir, { recursive: true, mode: 0o700 });
        const ext = params.format === 'JSON' ? 'json' : 'xml';
        const file = fileInside(deps.dir, `${ctx.target.id}-${jid}.${ext}`);
        await writeFile(file, content, { mode: 0o600 });
        return {
          file,
          jobId: jid,
          bytes: content.length,
          sha256: createHash('sha256').update(content).digest('hex'),
        };
      }
      if (Date.now() > deadline)
        throw new DeviceTimeoutError(`${rf.device} SCP export ${jid}`, deps.timeoutMs ?? 900_000);
      await ctx.progress(`exporting server configuration profile (${jid})`);
      await ctx.sleep(delay());
    }
  };
}
