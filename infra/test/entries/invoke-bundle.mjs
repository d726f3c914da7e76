// A Lambda runtime in miniature: `node invoke-bundle.mjs <bundle> <export> <events.json>` imports the bundle
// CDK produced (as Lambda does, once per container) and calls the handler with each event in turn, warm.
// Prints one line `@@RESULTS@@[{ok, value} | {ok:false, error}]`.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { interceptLocalhostDns } from 'fauxqs';

// The one stand-in below the SDK: the SQS emulator's queue URLs name `sqs.<region>.localhost`, and the SDK sends
// to a queue URL's host; *.localhost is loopback by definition (RFC 6761), which this resolver does not know.
interceptLocalhostDns();

const [file, exportName, eventsFile] = process.argv.slice(2);
const mod = await import(pathToFileURL(file).href);
const handler = mod[exportName];
const out = [];
for (const event of JSON.parse(readFileSync(eventsFile, 'utf8'))) {
  try {
    if (typeof handler !== 'function') throw new Error(`no ${exportName} export`);
    out.push({ ok: true, value: (await handler(event)) ?? null });
  } catch (err) {
    out.push({ ok: false, error: { name: err?.name, message: String(err?.message ?? err).slice(0, 500) } });
  }
}
process.stdout.write(`\n@@RESULTS@@${JSON.stringify(out)}\n`);
process.exit(0);
