/**
 * Dell names some components with the version installed when the inventory was read ("Dell OS Driver Pack,
 * 21.03.10, A00", "… Embedded Package v4.0.1, A00", "Dell 64 Bit uEFI Diagnostics, version 4301, 4301A56, …").
 * A package carries that name into the plan, so naming what was applied by it would name the OLD version: cut the
 * version part off, and say the version it went to separately. Pure.
 */
export function firmwareName(name: string): string {
  const cut = name
    .replace(/,\s*(version\s+)?v?\d[\w.-]*(,.*)?$/i, '')
    .replace(/\s+v\d+(\.\d+)+\b.*$/i, '')
    .trim();
  return cut || name;
}

/** A package as applied: `name → version`, the version being the one the component was updated to. */
export const appliedName = (p: { name: string; version: string }): string =>
  `${firmwareName(p.name)} → ${p.version}`;
