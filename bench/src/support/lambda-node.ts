import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAMBDA_RUNTIME } from '@rackops/infra/constructs/handler-function';
import { REPO_ROOT } from '@rackops/infra/handlers';

/**
 * The Node release a Lambda cold start is measured with: the major of the functions' runtime (LAMBDA_RUNTIME,
 * nodejs22.x), pinned to a release so the figure moves only when this pin does. Node 20, which may run the bench,
 * boots ≈ 3 × slower than Node 22 (≈ 65 vs ≈ 23 ms for an empty script on these machines), so a cold import timed
 * with it is not the functions' cold import.
 */
export const LAMBDA_NODE_VERSION = '22.23.3';

const DIR = join(REPO_ROOT, 'bench', '.lambda-node');

export type LambdaNode = { path: string; version: string } | { path: undefined; why: string };

/**
 * That release's `node`, from the npm registry's `node` package (its per-platform package ships the official
 * binary), installed once into bench/.lambda-node (gitignored). Without it (no registry), says why.
 */
export function lambdaNode(): LambdaNode {
  const major = /^nodejs(\d+)\.x$/.exec(LAMBDA_RUNTIME.name)?.[1];
  if (major !== LAMBDA_NODE_VERSION.split('.')[0])
    throw new Error(`LAMBDA_NODE_VERSION ${LAMBDA_NODE_VERSION} is not the runtime's ${LAMBDA_RUNTIME.name}`);
  const bin = join(DIR, 'node_modules', 'node', 'bin', 'node');
  const want = `v${LAMBDA_NODE_VERSION}`;
  let version = existsSync(bin) ? nodeVersion(bin) : undefined;
  if (version !== want) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(join(DIR, 'package.json'), '{"name":"rackops-lambda-node","private":true}\n');
    const npm = spawnSync(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        '--save-exact',
        `node@${LAMBDA_NODE_VERSION}`,
      ],
      { cwd: DIR, encoding: 'utf8', timeout: 300_000 },
    );
    if (npm.status !== 0 || !existsSync(bin))
      return {
        path: undefined,
        why: `node@${LAMBDA_NODE_VERSION} could not be installed: ${(npm.stderr ?? '').trim().split('\n').pop() ?? npm.error?.message}`,
      };
    version = nodeVersion(bin);
  }
  if (version !== want) return { path: undefined, why: `bench/.lambda-node holds ${version}, not ${want}` };
  return { path: bin, version };
}

/** `node -v` of a binary. */
export function nodeVersion(bin: string): string | undefined {
  return spawnSync(bin, ['-v'], { encoding: 'utf8' }).stdout?.trim();
}

/**
 * The `node` to run `what` on: the functions' release when it can be had, else the one running the bench, saying
 * why on the console.
 */
export function lambdaNodeOrOwn(what: string): { path: string; version: string } {
  const lambda = lambdaNode();
  if (lambda.path !== undefined) return lambda;
  console.log(`${what} on this Node (${process.version}): ${lambda.why}`);
  return { path: process.execPath, version: process.version };
}
