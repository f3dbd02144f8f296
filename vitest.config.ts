import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // tests read shared as TypeScript source, like tsx and the typecheck (tsconfig.json "paths"); only plain node
    // (the production build) reads shared/dist through shared/package.json "exports"
    alias: [{ find: /^@member-center\/shared$/, replacement: fileURLToPath(new URL('./shared/src/index.ts', import.meta.url)) }],
  },
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
