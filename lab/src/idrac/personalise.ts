import { CAPTURED_IDENTITY, type Capture } from './capture';
import type { HostState } from '../world/types';

const CAPTURED_UUID = '4c4c4544-0035-3410-8050-c6c04f314733';

/** Captured identity strings and what each becomes for a host. */
function replacements(host: HostState): Array<[string, string]> {
  return [
    [CAPTURED_IDENTITY.serviceTag, host.id],
    [CAPTURED_IDENTITY.idracAddress, host.idracAddress],
    [CAPTURED_IDENTITY.idracMac, host.idracMac],
    [CAPTURED_IDENTITY.idracMacUpper, host.idracMac.toUpperCase()],
    [CAPTURED_UUID, host.uuid],
  ];
}

const TOKENS = [
  CAPTURED_IDENTITY.serviceTag,
  CAPTURED_IDENTITY.idracAddress,
  CAPTURED_IDENTITY.idracMac,
  CAPTURED_IDENTITY.idracMacUpper,
  CAPTURED_UUID,
];

const needsCache = new WeakMap<Capture, Set<string>>();

/** Paths whose text holds an identity token (computed once per capture, so most requests skip the scan). */
function needsPersonalising(capture: Capture): Set<string> {
  let s = needsCache.get(capture);
  if (!s) {
    s = new Set();
    for (const [path, text] of capture.texts) if (TOKENS.some((t) => text.includes(t))) s.add(path);
    needsCache.set(capture, s);
  }
  return s;
}

/** The captured text of `path` as this host would return it. Hosts share the capture; this copies only on use. */
export function personalisedText(capture: Capture, host: HostState, path: string): string | undefined {
  const text = capture.texts.get(path);
  if (text === undefined || !needsPersonalising(capture).has(path)) return text;
  let out = text;
  for (const [from, to] of replacements(host)) out = out.replaceAll(from, to);
  return out;
}

/** Parsed, personalised, and safe to mutate. */
export function personalisedJson<T = Record<string, unknown>>(
  capture: Capture,
  host: HostState,
  path: string,
): T {
  const t = personalisedText(capture, host, path);
  if (t === undefined) throw new Error(`no captured resource ${path}`);
  return JSON.parse(t) as T;
}
