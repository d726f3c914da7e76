import { createSocket } from 'node:dgram';
import { parseIpv6 } from '@rackops/core/net/ip-address';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * A tiny authoritative DNS server on loopback (UDP, A and AAAA only) for security tests: names that resolve to
 * loopback, cloud metadata, a mix of public and private answers — the rebinding-style tricks an outbound URL
 * policy must see through. Unknown names answer NXDOMAIN.
 */
export interface LoopbackDns {
  /** `127.0.0.1:port`, for `Resolver.setServers`. */
  readonly server: string;
  readonly zone: Map<string, string[]>;
  close(): Promise<void>;
}

function readName(msg: Buffer, at: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = at;
  while (i < msg.length) {
    const len = msg[i] ?? 0;
    if (len === 0) return { name: labels.join('.').toLowerCase(), end: i + 1 };
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1'));
    i += 1 + len;
  }
  throw new Error('truncated name');
}

function ipv6Bytes(a: string): Buffer {
  const b = Buffer.alloc(16);
  for (const [i, g] of (parseIpv6(a) ?? []).entries()) b.writeUInt16BE(g, i * 2);
  return b;
}

export async function startLoopbackDns(zone: Record<string, string[]> = {}): Promise<LoopbackDns> {
  const records = new Map(Object.entries(zone).map(([k, v]) => [k.toLowerCase(), v]));
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    try {
      const { name, end } = readName(msg, 12);
      const qtype = msg.readUInt16BE(end);
      const question = msg.subarray(12, end + 4);
      const all = records.get(name);
      const answers = (all ?? []).filter((a) => (qtype === 1 ? isIPv4(a) : qtype === 28 ? isIPv6(a) : false));
      const header = Buffer.alloc(12);
      header.writeUInt16BE(msg.readUInt16BE(0), 0);
      header.writeUInt16BE(all ? 0x8580 : 0x8583, 2); // authoritative answer; NXDOMAIN for unknown names
      header.writeUInt16BE(1, 4);
      header.writeUInt16BE(answers.length, 6);
      const rrs = answers.map((a) => {
        const rdata = isIPv4(a) ? Buffer.from(a.split('.').map(Number)) : ipv6Bytes(a);
        const rr = Buffer.alloc(12);
        rr.writeUInt16BE(0xc00c, 0);
        rr.writeUInt16BE(isIPv4(a) ? 1 : 28, 2);
        rr.writeUInt16BE(1, 4);
        rr.writeUInt32BE(0, 6);
        rr.writeUInt16BE(rdata.length, 10);
        return Buffer.concat([rr, rdata]);
      });
      sock.send(Buffer.concat([header, question, ...rrs]), rinfo.port, rinfo.address);
    } catch {
      // a malformed query gets no answer, as from a real server under abuse
    }
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  return {
    server: `127.0.0.1:${sock.address().port}`,
    zone: records,
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}
