import type { HardwareHealth, HardwareLogEntry } from '@rackops/core/relay/hardware-health.schema';
import { z } from 'zod';
import type { DeviceRegistry } from '../devices/device-registry';
import type { RedfishClient } from '../redfish/redfish-client';
import type { CommandHandler } from './command-context';

const SYSTEM = '/redfish/v1/Systems/System.Embedded.1';
const LOGS = '/redfish/v1/Managers/iDRAC.Embedded.1/LogServices';
const CERTIFICATES = '/redfish/v1/Managers/iDRAC.Embedded.1/NetworkProtocol/HTTPS/Certificates';

const Status = z.looseObject({ Health: z.string().nullish(), HealthRollup: z.string().nullish() }).nullish();
const Rollup = z.string().nullish();
const SystemHealth = z.looseObject({
  Status,
  ProcessorSummary: z.looseObject({ Status }).nullish(),
  MemorySummary: z.looseObject({ Status }).nullish(),
  Oem: z
    .looseObject({
      Dell: z
        .looseObject({
          DellSystem: z
            .looseObject({
              CPURollupStatus: Rollup,
              SysMemPrimaryStatus: Rollup,
              StorageRollupStatus: Rollup,
              PSRollupStatus: Rollup,
              FanRollupStatus: Rollup,
              TempRollupStatus: Rollup,
            })
            .nullish(),
        })
        .nullish(),
    })
    .nullish(),
});
const LogEntries = z.looseObject({
  Members: z.array(
    z.looseObject({
      Id: z.string(),
      Created: z.string().nullish(),
      Severity: z.string().nullish(),
      Message: z.string().nullish(),
      MessageId: z.string().nullish(),
    }),
  ),
});
const Certificate = z.looseObject({
  ValidNotAfter: z.string(),
  Subject: z.looseObject({ CommonName: z.string().nullish() }).nullish(),
});
const CertificateList = z.looseObject({ Members: z.array(z.looseObject({ '@odata.id': z.string() })) });

const rollupOf = (s: z.infer<typeof Status>): string | undefined => s?.HealthRollup ?? s?.Health ?? undefined;

/** The newest `n` critical and warning entries (iDRAC lists newest first; the first page is enough). */
async function logEntries(rf: RedfishClient, log: 'Sel' | 'Lclog', n: number): Promise<HardwareLogEntry[]> {
  const page = await rf.get(LogEntries, `${LOGS}/${log}/Entries`);
  return page.Members.filter((m) => /^(critical|warning)$/i.test(m.Severity ?? ''))
    .slice(0, n)
    .map((m) => ({
      id: m.Id.slice(0, 64),
      created: (m.Created ?? '').slice(0, 64),
      severity: m.Severity ?? '',
      message: (m.Message ?? '').slice(0, 500),
      ...(m.MessageId ? { messageId: m.MessageId.slice(0, 100) } : {}),
    }));
}

/**
 * inventory.health — read-only, so trivially convergent. The system's rollups come in one read; the logs and
 * the certificate are read beside it, and a read that fails (an older iDRAC without the resource, a busy
 * BMC) becomes a warning rather than failing the command: a partial picture still shows a critical part.
 */
export function createInventoryHealthHandler(devices: DeviceRegistry): CommandHandler<'inventory.health'> {
  return async (params, ctx) => {
    const hostId = ctx.target.id;
    const rf = devices.idrac(hostId);
    const sys = await rf.get(SystemHealth, SYSTEM);
    const dell = sys.Oem?.Dell?.DellSystem;
    const candidates: [HardwareHealth['parts'][number]['part'], string | null | undefined][] = [
      ['system', rollupOf(sys.Status)],
      ['processors', rollupOf(sys.ProcessorSummary?.Status) ?? dell?.CPURollupStatus],
      ['memory', rollupOf(sys.MemorySummary?.Status) ?? dell?.SysMemPrimaryStatus],
      ['storage', dell?.StorageRollupStatus],
      ['power', dell?.PSRollupStatus],
      ['fans', dell?.FanRollupStatus],
      ['temperature', dell?.TempRollupStatus],
    ];
    const parts = candidates.flatMap(([part, health]) =>
      health ? [{ part, health: health.slice(0, 32) }] : [],
    );
    const warnings: string[] = [];
    const attempt = async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await read();
      } catch (err) {
        warnings.push(`${what} not read: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500));
        return undefined;
      }
    };
    const [sel, lifecycleLog, certificate] = await Promise.all([
      attempt('system event log', () => logEntries(rf, 'Sel', params.entries)),
      attempt('Lifecycle Controller log', () => logEntries(rf, 'Lclog', params.entries)),
      attempt('iDRAC certificate', async () => {
        const first = (await rf.get(CertificateList, CERTIFICATES)).Members[0]?.['@odata.id'];
        if (!first) return undefined;
        return rf.get(Certificate, first);
      }),
    ]);
    await ctx.progress(`read the health of ${parts.length} parts`, { percent: 100 });
    return {
      hostId,
      readAt: ctx.now().toISOString(),
      parts,
      sel: sel ?? [],
      lifecycleLog: lifecycleLog ?? [],
      ...(certificate
        ? {
            certificate: {
              notAfter: certificate.ValidNotAfter.slice(0, 64),
              ...(certificate.Subject?.CommonName
                ? { subject: certificate.Subject.CommonName.slice(0, 200) }
                : {}),
            },
          }
        : {}),
      warnings,
    };
  };
}
