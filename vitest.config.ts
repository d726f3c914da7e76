import { defineConfig } from 'vitest/config';

const workspaces = ['core', 'bot', 'lambdas', 'infra', 'relay-agent', 'lab', 'local', 'bench'];

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: one on a 2-core machine, where most of the suite's time
    // is spent waiting on time-scaled labs, engines, schedules, browsers and the machine's zfs-fuse lock rather
    // than computing. Three run side by side (two left the cores idle a third of a pass: 1,216 s of file time
    // in a 902 s pass).
    maxWorkers: 3,
    reporters: ['default', './core/test/setup/flaky-reporter.ts'],
    projects: workspaces.map((name) => ({
      test: {
        name,
        root: `./${name}`,
        include: ['test/**/*.test.ts'],
        setupFiles: ['../core/test/setup/polyfills.ts'],
        testTimeout: 30_000,
        hookTimeout: 60_000,
        // A failed test runs once more: the integration tests race real processes (labs, engines, zfs-fuse,
        // browsers) on a shared 2-core machine. The flaky reporter names every test that needed it, with its
        // first error; a test that fails twice fails the run.
        retry: 1,
      },
    })),
  },
});
