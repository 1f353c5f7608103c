import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@costline/source'] },
  ssr: { resolve: { conditions: ['@costline/source'] } },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'collector/test/**/*.test.ts',
      'test/**/*.test.ts',
      'dashboards/test/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
