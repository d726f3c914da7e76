import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The layer rules live in biome.json; this proves they bite by linting deliberate violations
// written next to real sources (the rules are path-scoped, so a probe must sit where the code does).
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const biome = join(root, 'node_modules/.bin/biome');

const probes = [
  { dir: 'bot/src', spec: '@aws-sdk/client-dynamodb', rule: 'lint/style/noRestrictedImports' },
  { dir: 'relay-agent/src', spec: '@rackops/lambdas', rule: 'lint/style/noRestrictedImports' },
  {
    dir: 'relay-agent/src',
    spec: '@rackops/lambdas/handlers/result.handler',
    rule: 'lint/style/noRestrictedImports',
  },
  { dir: 'lab/src', spec: 'aws-cdk-lib', rule: 'lint/style/noRestrictedImports' },
  { dir: 'lab/src', spec: '@rackops/infra/config', rule: 'lint/style/noRestrictedImports' },
  { dir: 'local/src', spec: '@rackops/infra', rule: 'lint/style/noRestrictedImports' },
  {
    dir: 'local/src',
    spec: '@rackops/infra/constructs/queue-with-dead-letter',
    rule: 'lint/style/noRestrictedImports',
  },
  { dir: 'core/src', spec: 'botbuilder', rule: 'lint/style/noRestrictedImports' },
  { dir: 'core/test', spec: 'aws-cdk-lib', rule: 'lint/correctness/noUndeclaredDependencies' },
  { dir: 'bot/src', spec: '@rackops/core', rule: null },
].map((probe, index) => ({ ...probe, file: `${probe.dir}/layer-probe-${process.pid}-${index}.ts` }));

let output = '';
let status: number | null = null;

beforeAll(() => {
  for (const probe of probes) {
    writeFileSync(
      join(root, probe.file),
      `import * as probe from '${probe.spec}';\n\nexport const used = probe;\n`,
    );
  }
  // One biome run for every probe: a run costs seconds on a loaded machine.
  const run = spawnSync(biome, ['lint', '--max-diagnostics=100', ...probes.map((probe) => probe.file)], {
    cwd: root,
    encoding: 'utf8',
  });
  output = `${run.stdout}${run.stderr}`;
  status = run.status;
}, 60_000);

afterAll(() => {
  for (const probe of probes) rmSync(join(root, probe.file), { force: true });
});

const diagnosticsOf = (file: string): string[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith(`${file}:`))
    .map((line) => line.split(' ')[1] ?? '');

describe('layer rules in the linter', () => {
  it('linted every probe', () => {
    expect(output).toContain(`Checked ${probes.length} files`);
  });

  it('a violation fails the lint run (non-zero exit)', () => {
    expect(status).not.toBe(0);
    expect(status).not.toBeNull();
  });

  it.each(probes.filter((probe) => probe.rule !== null))('$dir importing $spec fails with $rule', (probe) => {
    expect(diagnosticsOf(probe.file)).toContain(probe.rule);
  });

  it('an allowed import passes', () => {
    const allowed = probes.find((probe) => probe.rule === null);
    expect(allowed && diagnosticsOf(allowed.file)).toEqual([]);
  });
});
