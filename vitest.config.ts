import { defineConfig } from 'vitest/config';

const workspaces = ['core', 'bot', 'lambdas', 'infra', 'relay-agent', 'lab', 'local', 'bench'];

export default defineConfig({
  test: {
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
