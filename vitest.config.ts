import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Forks, not threads: NODE_EXTRA_CA_CERTS (the emulators' test CA) is read at process start.
    pool: 'forks',
    globalSetup: ['test/support/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    allowOnly: false,
  },
});
