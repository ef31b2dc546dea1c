import { defineConfig } from 'vitest/config';

/**
 * Two lanes: `unit` (pure domain, schemas, use cases and handlers with mocked clients, CDK
 * assertions; no runtime boots, under 30 s) and `e2e` (the local runtime over HTTP, child
 * processes for crash tests). `npm test` runs both.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    // Metrics off: the use cases count as they run, and EMF lines would flood the test output.
    env: { TZ: 'UTC', POWERTOOLS_METRICS_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
          // The CDK suites synthesize the app once in beforeAll, slowly on a busy machine.
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/contract/**/*.test.ts'],
          // The suites boot the synthesized app (about 3 s each) and, for the crash tests, child
          // processes: generous timeouts, but nothing waits on wall-clock schedules (TIME_SCALE
          // and pinned clocks do that).
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
