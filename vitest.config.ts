import { defineConfig } from 'vitest/config';

const workspaces = ['core', 'bot', 'lambdas', 'infra', 'relay-agent', 'lab', 'local', 'bench'];

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: one on a 2-core machine, where most of the suite's time
    // is spent waiting on time-scaled labs, engines and browsers rather than computing. Two run side by side.
    maxWorkers: 2,
    projects: workspaces.map((name) => ({
      test: {
        name,
        root: `./${name}`,
        include: ['test/**/*.test.ts'],
        setupFiles: ['../core/test/setup/polyfills.ts'],
        testTimeout: 30_000,
        hookTimeout: 60_000,
      },
    })),
  },
});
