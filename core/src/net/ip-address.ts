/**
 * What an IP address literal points at, for the outbound URL policy. Pure: no DNS (the agent resolves names and
 * classifies every answer with this). Accepts every spelling a URL parser or inet_aton would turn into an
 * address — decimal `2130706433`, octal `0177.1`, hex `0x7f.0.0.1`, IPv6 with mapped/compatible/NAT64/6to4
 * IPv4 inside — because an attacker picks whichever spelling a filter forgets.
 */
export type AddressClass =
  | 'public'
  | 'private'
  | 'loopback'
  | 'link-local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

/** Classes no outbound URL may reach, allow-list or not. */
export const NEVER_ALLOWED: ReadonlySet<AddressClass> = new Set([
  'link-local',
  'metadata',
  'unspecified',
  'multicast',
  'reserved',
]);

/** Classes reachable only through a host on the config's allow-list (the on-prem repository, the lab). */
export const ALLOW_LIST_ONLY: ReadonlySet<AddressClass> = new Set(['loopback', 'private']);

/** Cloud instance metadata endpoints (AWS/GCP/Azure/OpenStack, ECS task metadata, Alibaba, AWS IPv6). */
const METADATA_V4 = new Set(['169.254.169.254', '169.254.170.2', '169.254.169.123', '100.100.100.200']);

/** One IPv4 part as inet_aton reads it: `0x` hex, leading `0` octal, else decimal. */
function ipv4Part(s: string): number | undefined {
  if (/^0x[0-9a-f]*$/i.test(s)) return s.length === 2 ? 0 : Number.parseInt(s.slice(2), 16);
  if (/^0[0-7]*$/.test(s)) return Number.parseInt(s, 8);
  if (/^[1-9][0-9]*$/.test(s)) return Number(s);
  return undefined;
}

/** An IPv4 literal in any inet_aton spelling (1–4 parts, the last fills the remaining bytes), as a 32-bit number. */
export function parseIpv4(host: string): number | undefined {
  const parts = host.replace(/\.$/, '').split('.');
  if (parts.length < 1 || parts.length > 4) return undefined;
  const nums = parts.map(ipv4Part);
  if (nums.some((n) => n === undefined || !Number.isFinite(n))) return undefined;
  const ns = nums as number[];
  const last = ns[ns.length - 1] ?? 0;
  const lead = ns.slice(0, -1);
  if (lead.some((n) => n > 255)) return undefined;
  if (last >= 2 ** (8 * (5 - ns.length))) return undefined;
  let value = 0;
  for (const n of lead) value = value * 256 + n;
  return value * 2 ** (8 * (5 - ns.length)) + last;
}

export const ipv4Text = (v: number): string =>
  [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');

function inV4(v: number, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const base = parseIpv4(net ?? '');
  const b = Number(bits);
  if (base === undefined) return false;
  const size = 2 ** (32 - b);
  return Math.floor(v / size) === Math.floor(base / size);
}

export function classifyIpv4(v: number): AddressClass {
  if (METADATA_V4.has(ipv4Text(v))) return 'metadata';
  if (inV4(v, '0.0.0.0/8')) return 'unspecified';
  if (inV4(v, '127.0.0.0/8')) return 'loopback';
  if (inV4(v, '169.254.0.0/16')) return 'link-local';
  if (inV4(v, '224.0.0.0/4')) return 'multicast';
  if (inV4(v, '240.0.0.0/4')) return 'reserved'; // includes 255.255.255.255
  for (const c of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'])
    if (inV4(v, c)) return 'private';
  for (const c of ['192.0.0.0/24', '192.0.2.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24'])
    if (inV4(v, c)) return 'reserved';
  return 'public';
}

/** An IPv6 literal (brackets optional, no zone id) as eight 16-bit groups. */
export function parseIpv6(text: string): number[] | undefined {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!s.includes(':') || s.includes('%')) return undefined;
  const lastColon = s.lastIndexOf(':');
  const dotted = s.slice(lastColon + 1);
  if (dotted.includes('.')) {
    // The trailing dotted quad of `::ffff:1.2.3.4` is strict decimal: rewritten as the two groups it stands for.
    if (!/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(dotted)) return undefined;
    const v =
      parseIpv4(
        dotted
          .split('.')
          .map((p) => String(Number(p)))
          .join('.'),
      ) ?? 0;
    s = `${s.slice(0, lastColon + 1)}${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const group = (g: string) => (/^[0-9a-f]{1,4}$/i.test(g) ? Number.parseInt(g, 16) : Number.NaN);
  const head = halves[0] ? halves[0].split(':').map(group) : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':').map(group) : [];
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return undefined;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else groups = head;
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return undefined;
  return groups;
}

export function classifyIpv6(g: number[]): AddressClass {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, h1 = 0, h2 = 0] = g;
  const v4 = h1 * 65536 + h2;
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(8)) return 'unspecified';
  if (zeroTo(7) && h2 === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), ::ffff:0:a.b.c.d (translated): the IPv4 inside decides.
  if (zeroTo(5) && f === 0xffff) return classifyIpv4(v4);
  if (zeroTo(6)) return classifyIpv4(v4);
  if (zeroTo(4) && e === 0xffff && f === 0) return classifyIpv4(v4);
  // NAT64 (64:ff9b::/96, 64:ff9b:1::/48) reaches the embedded IPv4.
  if (a === 0x64 && b === 0xff9b && (c === 0 || c === 1)) return classifyIpv4(v4);
  // 6to4 (2002:AABB:CCDD::/48) embeds the relay's IPv4.
  if (a === 0x2002) return classifyIpv4(b * 65536 + c);
  if (a === 0xfd00 && b === 0x0ec2 && c === 0 && d === 0 && e === 0 && f === 0 && h1 === 0 && h2 === 0x254)
    return 'metadata';
  if ((a & 0xffc0) === 0xfe80) return 'link-local';
  if ((a & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local
  if ((a & 0xfe00) === 0xfc00) return 'private';
  if ((a & 0xff00) === 0xff00) return 'multicast';
  if (a === 0x2001 && b === 0x0db8) return 'reserved';
  if (a === 0x0100 && b === 0 && c === 0 && d === 0) return 'reserved'; // discard-only
  return 'public';
}

/** The class of a host that is an IP literal; undefined for a name (the caller resolves it). */
export function classifyHost(host: string): AddressClass | undefined {
  const h = host.toLowerCase();
  const v6 = parseIpv6(h);
  if (v6) return classifyIpv6(v6);
  // A name is anything with a letter outside a hex/octal prefix; `0x7f.1` is an address, `repo1.lab` is not.
  const v4 = parseIpv4(h);
  if (v4 !== undefined) return classifyIpv4(v4);
  return undefined;
}
