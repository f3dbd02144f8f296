import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // one real database server for the run; each test file gets its own database on it
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // two cores: run two files at a time
    maxWorkers: 2,
  },
})
