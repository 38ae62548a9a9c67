import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// Runs tests/worker/** inside real workerd with a local D1, using wrangler.toml.
export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          SIFT_SECRET: 'test-secret-for-workerd-only-0123456789abcdef',
          SIFT_BASE_URL: 'https://sift.test',
          LOG_LEVEL: 'warn',
          TEST_MIGRATIONS: await readD1Migrations(fileURLToPath(new URL('./drizzle', import.meta.url))),
        },
      },
    }),
  ],
  test: {
    include: ['tests/worker/**/*.test.ts'],
    testTimeout: 30_000,
    // CommonJS packages (sanitize-html → postcss) are pre-bundled with
    // esbuild, as wrangler does for a deploy, instead of being required one file at a time.
    deps: { optimizer: { ssr: { enabled: true, include: ['sanitize-html'] } } },
  },
}));
