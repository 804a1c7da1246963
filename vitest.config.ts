import { defineConfig } from 'vitest/config';
import { skipGate } from './test/support/skip-reporter.ts';

export default defineConfig({
  // Judges the run's skipped tests (a CI run fails on one not allowed).
  plugins: [skipGate()],
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup-fast-check.ts'],
    // Kernel tests fork real processes; keep the 2-core machine responsive.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
