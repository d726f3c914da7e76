import { mkdirSync, writeFileSync } from 'node:fs';
import type { Reporter, TestCase } from 'vitest/node';

interface Flaky {
  file: string;
  test: string;
  attempts: number;
  firstError: string;
}

/**
 * The suite retries a failed test once (vitest.config.ts): the integration tests run real processes on a shared
 * 2-core machine, and one lost race in 3,400 tests should not hide the rest. A retry must never hide a test that
 * fails now and then, though: every test that passed only on a retry is printed at the end of the run with the
 * error of its failed attempt, and listed in test-artifacts/flaky-node<major>.json — a test that fails twice still fails.
 */
export default class FlakyReporter implements Reporter {
  private readonly flaky: Flaky[] = [];

  onTestCaseResult(testCase: TestCase): void {
    const diagnostic = testCase.diagnostic();
    if (!diagnostic?.flaky) return;
    const error = testCase.result().errors?.[0];
    this.flaky.push({
      file: `${testCase.project.name}/${testCase.module.relativeModuleId}`,
      test: testCase.fullName,
      attempts: diagnostic.retryCount + 1,
      firstError: (error?.message ?? 'no error recorded').split('\n')[0] ?? '',
    });
  }

  onTestRunEnd(): void {
    mkdirSync('test-artifacts', { recursive: true });
    // One file per Node major: CI runs the suite on two.
    const file = `test-artifacts/flaky-node${process.versions.node.split('.')[0]}.json`;
    writeFileSync(file, `${JSON.stringify(this.flaky, null, 2)}\n`);
    if (this.flaky.length === 0) return;
    const lines = this.flaky.map(
      (f) => `  ${f.file} > ${f.test} (${f.attempts} attempts; first: ${f.firstError})`,
    );
    console.log(`\n--- flaky: ${this.flaky.length} test(s) passed only on a retry\n${lines.join('\n')}\n`);
  }
}
