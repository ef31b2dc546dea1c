import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The end-to-end suites boot the synthesized app (about 3 s each) and, for the
    // crash test, child processes: generous timeouts, but nothing waits on wall-clock
    // schedules (TIME_SCALE and pinned clocks do that).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { TZ: 'UTC' },
  },
});
