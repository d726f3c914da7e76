import { REDACTING_LOGGER } from '@rackops/core/util/redaction';
import { startChatServer } from '@rackops/local/web/chat-server';
import { pino } from 'pino';

/**
 * The local Direct Line and Bot Connector endpoint in a process of its own, forwarding user activities to the bot
 * at `--bot <url>` (as the hosted Bot Connector calls a bot's /api/messages); prints `{"url":…}`.
 */
const at = process.argv.indexOf('--bot');
const botEndpoint = process.argv[at + 1];
if (at < 0 || !botEndpoint) throw new Error('usage: directline-main --bot <url>');
const chat = await startChatServer({ botEndpoint, logger: pino({ ...REDACTING_LOGGER, level: 'warn' }) });
console.log(JSON.stringify({ url: chat.url }));
process.once('SIGTERM', () => {
  void chat.close().finally(() => process.exit(0));
});
