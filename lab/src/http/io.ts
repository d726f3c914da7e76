import type { IncomingMessage, ServerResponse } from 'node:http';

/** Body larger than the lab accepts (firmware uploads are small in the lab). */
export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parse a JSON body; undefined when empty, throws SyntaxError when malformed. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const buf = await readBody(req);
  if (buf.length === 0) return undefined;
  return JSON.parse(buf.toString('utf8'));
}

export function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer | undefined,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}),
  });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, typeof body === 'string' ? body : JSON.stringify(body), {
    'Content-Type': 'application/json;odata.metadata=minimal;charset=utf-8',
    ...headers,
  });
}

/** Parse `multipart/form-data` (enough for Redfish MultipartUpload: a JSON part and a file part). */
export function parseMultipart(
  body: Buffer,
  contentType: string,
): Array<{ name: string; filename?: string; contentType?: string; data: Buffer }> {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw new SyntaxError('multipart body without a boundary');
  const delim = Buffer.from(`--${boundary}`);
  const parts: Array<{ name: string; filename?: string; contentType?: string; data: Buffer }> = [];
  let pos = body.indexOf(delim);
  while (pos !== -1) {
    const start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delim, start);
    if (next === -1) break;
    const part = body.subarray(start + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const disp = /content-disposition:[^\r\n]*?name="([^"]*)"(?:;\s*filename="([^"]*)")?/i.exec(headers);
      const ct = /content-type:\s*([^\r\n]+)/i.exec(headers);
      if (disp) {
        parts.push({
          name: disp[1]!,
          ...(disp[2] !== undefined ? { filename: disp[2] } : {}),
          ...(ct ? { contentType: ct[1]!.trim() } : {}),
          data: part.subarray(headerEnd + 4),
        });
      }
    }
    pos = next;
  }
  return parts;
}
