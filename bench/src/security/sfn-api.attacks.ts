import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import { startDynalite } from '@rackops/local/dynalite';
import { LocalEngine } from '@rackops/local/engine/local-engine';
import { startSfnApi } from '@rackops/local/engine/sfn-api/sfn-api-server';
import type { AttackCatalogue, AttackOutcome } from './attack';
import { tokenTask } from '@rackops/local/testing/asl';

const AREA = 'sfn-api';

/** A device step waiting on its token, as the project's workflows have them. */
const WAITS = { StartAt: 'Step', States: { Step: tokenTask() } };

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Something else on this machine — another user's process, a web page in a browser, a page whose name was
 * rebound to 127.0.0.1 — talks to the local Step Functions API: guessed and malformed task tokens, foreign and
 * malformed ARNs, names that would address another execution, foreign Host headers, CORS preflights, odd
 * operation names, oversized and polluting bodies, other methods, another interface. Refused = the server
 * answered with its refusal, the waiting execution still waits with nothing answered, no execution was started
 * or stopped, and Object.prototype is untouched.
 */
export const run: AttackCatalogue = async () => {
  const dynalite = await startDynalite();
  const store = createDynamoStore({ client: dynalite.client(), tableName: 'bench-sfn-api-attacks' });
  await store.migrate();
  const tokens: string[] = [];
  const engine = new LocalEngine({
    store,
    definitions: { waits: WAITS, ends: { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } } },
    functions: { dispatch: async (p) => void tokens.push((p as { taskToken: string }).taskToken) },
  });
  const api = await startSfnApi(engine);
  const outcomes: AttackOutcome[] = [];
  try {
    const victim = await engine.startExecution({ workflow: 'waits', name: 'victim', input: { jobId: 'v' } });
    for (let i = 0; i < 500 && tokens.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const victimToken = tokens[0] ?? '';
    const executions = async () =>
      (await engine.listExecutions('waits')).length + (await engine.listExecutions('ends')).length;
    const baseline = await executions();

    const send = (opts: {
      target?: string;
      body?: string | object;
      host?: string;
      method?: string;
      contentType?: string;
      headers?: Record<string, string>;
      address?: string;
    }) =>
      new Promise<Reply>((resolve, reject) => {
        const text = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body ?? {});
        const req = request(
          {
            host: opts.address ?? '127.0.0.1',
            port: api.port,
            method: opts.method ?? 'POST',
            path: '/',
            headers: {
              host: opts.host ?? `127.0.0.1:${api.port}`,
              'content-type': opts.contentType ?? 'application/x-amz-json-1.0',
              ...(opts.target ? { 'x-amz-target': `AWSStepFunctions.${opts.target}` } : {}),
              ...opts.headers,
            },
          },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
          },
        );
        req.on('error', reject);
        req.end(text);
      });

    /** `expectCode`: the `__type` code (after `#`) the refusal must carry; `expectStatus` its HTTP status. */
    const attack = async (
      name: string,
      req: Parameters<typeof send>[0],
      expect: { status: number; code?: string; check?: (r: Reply) => string | undefined },
    ) => {
      let refused = false;
      let detail: string;
      try {
        const r = await send(req);
        const code = (() => {
          try {
            return String((JSON.parse(r.body) as { __type?: string }).__type ?? '').split('#')[1];
          } catch {
            return undefined;
          }
        })();
        const wrong: string[] = [];
        if (r.status !== expect.status) wrong.push(`status ${r.status}`);
        if (expect.code && code !== expect.code) wrong.push(`code ${code}`);
        const extra = expect.check?.(r);
        if (extra) wrong.push(extra);
        const status = (await engine.describeExecution(victim.executionId))?.status;
        if (status !== 'RUNNING') wrong.push(`victim ${status}`);
        if ((await executions()) !== baseline) wrong.push('an execution was started');
        if ((Object.prototype as Record<string, unknown>).polluted !== undefined)
          wrong.push('prototype polluted');
        refused = wrong.length === 0;
        detail = refused ? `${r.status} ${code ?? ''}`.trim() : wrong.join(', ');
      } catch (err) {
        detail = `threw: ${(err as Error).message}`;
      }
      outcomes.push({ area: AREA, name, refused, detail });
    };

    const smArn = engine.stateMachineArn('waits');
    const start = (body: object, extra: Omit<Parameters<typeof send>[0], 'body' | 'target'> = {}) => ({
      target: 'StartExecution',
      body: { stateMachineArn: smArn, ...body },
      ...extra,
    });

    // Guessed tokens: the token is the only credential SendTask* needs.
    for (let i = 0; i < 8; i++) {
      const guess = `lsfn1.${Buffer.from(`guess-${i}-${'x'.repeat(30)}`).toString('base64url')}`;
      for (const op of ['SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat']) {
        await attack(
          `${op} with a guessed token #${i}`,
          { target: op, body: { taskToken: guess, output: '{}' } },
          { status: 400, code: 'TaskDoesNotExist' },
        );
      }
    }
    // The victim's token with a byte changed, cut short, or padded.
    const near = [
      `${victimToken.slice(0, -1)}${victimToken.endsWith('A') ? 'B' : 'A'}`,
      victimToken.slice(0, -4),
      `${victimToken}A`,
      victimToken.toUpperCase(),
    ];
    for (const [i, tok] of near.entries()) {
      await attack(
        `SendTaskSuccess with a near-miss of the real token #${i}`,
        { target: 'SendTaskSuccess', body: { taskToken: tok, output: '{}' } },
        { status: 400 },
      );
    }
    for (const [i, tok] of ['', ' ', '../../etc/passwd', 'x'.repeat(4096), '\u0000', 'lsfn1.'].entries()) {
      await attack(
        `SendTaskSuccess with a malformed token #${i}`,
        { target: 'SendTaskSuccess', body: { taskToken: tok, output: '{}' } },
        { status: 400 },
      );
    }
    await attack(
      'SendTaskSuccess with the real token but output that is not JSON',
      { target: 'SendTaskSuccess', body: { taskToken: victimToken, output: '{"a":' } },
      { status: 400, code: 'InvalidOutput' },
    );
    await attack(
      'SendTaskSuccess with the real token and a token field of the wrong type',
      { target: 'SendTaskSuccess', body: { taskToken: [victimToken], output: '{}' } },
      { status: 400, code: 'ValidationException' },
    );

    // ARNs: another account or region, malformed, or a name that would address another execution.
    const foreign = [
      `arn:aws:states:us-east-1:123456789012:execution:waits:victim`,
      `arn:aws:states:local:000000000001:execution:waits:victim`,
      `arn:aws-cn:states:local:000000000000:execution:waits:victim`,
    ];
    for (const arn of foreign) {
      await attack(
        `StopExecution of the victim through a foreign ARN ${arn.split(':').slice(1, 5).join(':')}`,
        { target: 'StopExecution', body: { executionArn: arn } },
        { status: 400 },
      );
    }
    for (const arn of [
      `${victim.executionId}:extra`,
      smArn,
      'victim',
      `${victim.executionId} `,
      `${victim.executionId}\n`,
    ]) {
      await attack(
        `StopExecution with a malformed ARN ${JSON.stringify(arn.slice(-20))}`,
        { target: 'StopExecution', body: { executionArn: arn } },
        { status: 400, code: 'InvalidArn' },
      );
    }
    for (const name of ['waits:victim', 'a/b', 'a b', 'tab\tname', 'x'.repeat(81), 'nul\u0000', 'q?*', '']) {
      await attack(
        `StartExecution named ${JSON.stringify(name.slice(0, 20))}`,
        start({ name, input: '{}' }),
        { status: 400 },
      );
    }
    await attack(
      'StartExecution of a state machine in another account',
      start({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:waits', name: 'x1' }),
      { status: 400, code: 'StateMachineDoesNotExist' },
    );
    await attack(
      'StartExecution reusing the victim name with other input',
      start({ name: 'victim', input: '{"jobId":"hijack"}' }),
      { status: 400, code: 'ExecutionAlreadyExists' },
    );

    // Browsers: a DNS-rebound page names its own host; a cross-site page needs a preflight.
    for (const host of [
      'evil.example',
      `evil.example:${api.port}`,
      `127.0.0.1.evil.example:${api.port}`,
      '127.0.0.1',
    ]) {
      await attack(`StartExecution with Host ${host}`, start({ name: 'rebound', input: '{}' }, { host }), {
        status: 403,
        code: 'AccessDeniedException',
      });
    }
    await attack(
      'CORS preflight from a web page',
      {
        method: 'OPTIONS',
        headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
      },
      {
        status: 404,
        check: (r) => (r.headers['access-control-allow-origin'] ? 'CORS allowed' : undefined),
      },
    );
    await attack(
      'a form-style text/plain POST',
      start({ name: 'form', input: '{}' }, { contentType: 'text/plain' }),
      { status: 400, code: 'SerializationException' },
    );
    for (const method of ['GET', 'PUT', 'DELETE']) {
      await attack(`${method} /`, { method, target: 'StartExecution' }, { status: 404 });
    }

    // Operation names that are properties of every object.
    for (const op of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '']) {
      await attack(
        `operation ${JSON.stringify(op)}`,
        { target: op },
        {
          status: 400,
          code: 'UnknownOperationException',
        },
      );
    }

    // Bodies: oversized, oversized input, prototype pollution.
    await attack(
      'a 3 MiB body',
      start({ name: 'big', input: JSON.stringify({ pad: 'x'.repeat(3 << 20) }) }),
      {
        status: 413,
      },
    );
    await attack(
      'a 300 KiB input (over the 256 KiB document limit)',
      start({ name: 'big2', input: JSON.stringify({ pad: 'x'.repeat(300 << 10) }) }),
      { status: 400, code: 'ValidationException' },
    );
    await attack(
      'a body polluting __proto__ with no valid request',
      {
        target: 'StartExecution',
        body: '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":1}}}',
      },
      { status: 400, code: 'ValidationException' },
    );
    await attack(
      'a body that is not JSON',
      { target: 'StartExecution', body: '{"stateMachineArn":' },
      {
        status: 400,
        code: 'SerializationException',
      },
    );

    // Another interface of this machine: the server must not be there at all.
    const other = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
    if (other) {
      const reached = await new Promise<string>((resolve) => {
        const s = connect({ host: other, port: api.port });
        s.once('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      });
      outcomes.push({
        area: AREA,
        name: 'connect on a non-loopback interface',
        refused: reached !== 'connected',
        detail: reached,
      });
    }

    // Still serving the legitimate client afterwards.
    const status = (await engine.describeExecution(victim.executionId))?.status;
    outcomes.push({
      area: AREA,
      name: 'the victim execution still waits after everything above',
      refused: status === 'RUNNING',
      detail: status ?? 'gone',
    });
  } finally {
    await api.close();
    await engine.stop();
    await dynalite.close();
  }
  return outcomes;
};
