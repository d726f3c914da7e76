import { DeviceTimeoutError } from '../http/errors';
import type { CommandContext } from '../commands/command-context';
import { pollBackoff } from '../commands/poll-backoff';
import type { RedfishClient } from '../redfish/redfish-client';

/**
 * One SCP export, to completion. The JID is kept in the ledger under `memoKey`, so a resumed command polls
 * the job it started instead of starting another.
 */
export async function exportProfile(
  rf: RedfishClient,
  ctx: CommandContext,
  opts: { target: string; format: 'JSON' | 'XML'; memoKey: string; timeoutMs?: number },
): Promise<{ jid: string; content: Buffer }> {
  let jid = ctx.memo.get<string>(opts.memoKey);
  if (!jid) {
    jid = await rf.exportScp(opts.target, opts.format);
    ctx.memo.set(opts.memoKey, jid);
  }
  const timeoutMs = opts.timeoutMs ?? 900_000;
  const deadline = Date.now() + timeoutMs;
  const delay = pollBackoff(ctx.pollIntervalMs);
  for (;;) {
    const content = await rf.scpContent(jid);
    if (content) return { jid, content };
    if (Date.now() > deadline) throw new DeviceTimeoutError(`${rf.device} SCP export ${jid}`, timeoutMs);
    await ctx.progress(`exporting server configuration profile (${jid})`);
    await ctx.sleep(delay());
  }
}

/** Model and firmware at export time, for the backup record; a read that fails leaves them out. */
export async function hostFacts(
  rf: RedfishClient,
): Promise<{ model?: string; firmware: Record<string, string> }> {
  const firmware: Record<string, string> = {};
  let model: string | undefined;
  try {
    const sys = await rf.system();
    model = sys.Model ?? undefined;
    if (sys.BiosVersion) firmware.BIOS = sys.BiosVersion;
  } catch {
    // the profile's own Model is used
  }
  try {
    const idrac = (await rf.firmwareInventory()).find((f) => /Remote Access Controller|iDRAC/i.test(f.Name));
    if (idrac) firmware.iDRAC = idrac.Version;
  } catch {
    // firmware is informative only
  }
  return { ...(model ? { model } : {}), firmware };
}

/** The Model an exported profile names (JSON or XML), when it names one. */
export function profileModel(content: Buffer): string | undefined {
  const head = content.subarray(0, 4096).toString('utf8');
  const m =
    /"Model"\s*:\s*"([^"]{1,200})"/.exec(head) ??
    /<SystemConfiguration[^>]*\bModel="([^"]{1,200})"/.exec(head);
  return m?.[1];
}
