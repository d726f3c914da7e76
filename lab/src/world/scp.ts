import type { HostState } from './types';
import type { World } from './world';

type Attrs = Record<string, unknown>;

export const SCP_SOURCES: Array<{ target: string; fqdd: string; path: string }> = [
  { target: 'BIOS', fqdd: 'BIOS.Setup.1-1', path: '/redfish/v1/Systems/System.Embedded.1/Bios' },
  { target: 'IDRAC', fqdd: 'iDRAC.Embedded.1', path: '/redfish/v1/Managers/iDRAC.Embedded.1/Attributes' },
  {
    target: 'LifecycleController',
    fqdd: 'LifecycleController.Embedded.1',
    path: '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/DellAttributes/LifecycleController.Embedded.1',
  },
  {
    target: 'System',
    fqdd: 'System.Embedded.1',
    path: '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/DellAttributes/System.Embedded.1',
  },
];

/**
 * A Server Configuration Profile built from the captured attribute registries, personalised
 * with the host's identity. Password hashes are never exported (as with `IncludeInExport=Default`).
 */
export function buildScp(
  world: World,
  host: HostState,
  opts: { format: 'JSON' | 'XML'; target: string },
): string {
  const components = SCP_SOURCES.filter((s) => opts.target === 'ALL' || s.target === opts.target).map((s) => {
    const attrs = ((world.capture.json(s.path) as { Attributes?: Attrs }).Attributes ?? {}) as Attrs;
    const list = Object.entries(attrs)
      .filter(([name, v]) => v !== null && !/Password|IPMIKey|v3Key|Salt/i.test(name))
      .map(([Name, v]) => ({
        Name,
        Value: String(v).replaceAll('F54P1G3', host.id),
        'Set On Import': 'True',
        Comment: 'Read and Write',
      }));
    const imported = host.scpAttributes.get(s.fqdd);
    for (const a of list) a.Value = imported?.get(a.Name) ?? a.Value;
    return { FQDD: s.fqdd, Attributes: list };
  });
  const stampTime = world.clock.now().toUTCString();
  if (opts.format === 'JSON') {
    return JSON.stringify(
      {
        SystemConfiguration: {
          Model: host.model,
          ServiceTag: host.id,
          TimeStamp: stampTime,
          Components: components,
        },
      },
      null,
      2,
    );
  }
  const esc = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const body = components
    .map(
      (c) =>
        `<Component FQDD="${esc(c.FQDD)}">\n${c.Attributes.map((a) => `<Attribute Name="${esc(a.Name)}">${esc(a.Value)}</Attribute>`).join('\n')}\n</Component>`,
    )
    .join('\n');
  return `<SystemConfiguration Model="${esc(host.model)}" ServiceTag="${esc(host.id)}" TimeStamp="${esc(stampTime)}">\n${body}\n</SystemConfiguration>\n`;
}
