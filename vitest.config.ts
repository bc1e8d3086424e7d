import { defineConfig } from 'vitest/config';

// Every API test runs twice: on embedded PGlite and on the PostgreSQL server (127.0.0.1:5432 unless
// FRAMEWISE_TEST_PG_URL says otherwise). In CI a missing PostgreSQL fails the run; elsewhere the
// postgres project can be skipped with FRAMEWISE_TEST_DB=pglite.
const only = process.env.FRAMEWISE_TEST_DB;
const apiProjects = (['pglite', 'postgres'] as const)
  .filter((db) => !only || only === db)
  .map((db) => ({
    extends: true as const,
    test: {
      name: `api-${db}`,
      include: ['apps/server/test/api/**/*.test.ts'],
      env: { FRAMEWISE_TEST_DB: db },
    },
  }));

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here: more forks only thrash.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'apps/server/test/unit/**/*.test.ts', 'apps/server/test/storage/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          // The annotation engine runs headless: pointer and key events in, store state out.
          name: 'web',
          include: ['apps/web/test/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          // Real Chromium against the built server and web app (apps/web/e2e/harness.ts).
          name: 'e2e',
          include: ['apps/web/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      ...apiProjects,
    ],
  },
});
