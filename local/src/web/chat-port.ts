import { createServer } from 'node:net';

/** The Bot Framework's conventional local port: a bookmarked chat tab keeps working across restarts. */
export const DEFAULT_CHAT_PORT = 3978;

export type ChatPort = { port: number; note?: string } | { error: string };

const isFree = (port: number, host: string): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });

/**
 * `PORT` when set (a valid port, taken or not: the listen then says so), else 3978, else — only when 3978 is
 * taken — an ephemeral port, with a note saying why the URL differs from last time.
 */
export async function chooseChatPort(env: string | undefined, host = '127.0.0.1'): Promise<ChatPort> {
  if (env !== undefined && env !== '') {
    const port = Number(env);
    if (!/^\d+$/.test(env) || !Number.isInteger(port) || port < 0 || port > 65535)
      return { error: `PORT=${JSON.stringify(env)} is not a port number (0–65535)` };
    return { port };
  }
  if (await isFree(DEFAULT_CHAT_PORT, host)) return { port: DEFAULT_CHAT_PORT };
  return {
    port: 0,
    note: `port ${DEFAULT_CHAT_PORT} is taken (another RackOps?); using a free port instead — set PORT to choose`,
  };
}
