import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.{ts,tsx}'],
    exclude: ['tests/worker/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // `sift rank` run in-process caches sentence vectors here, not in the repository's ./data
    // (content-addressed, so sharing it between runs is safe and saves encoding again).
    env: { SIFT_CACHE_DIR: join(tmpdir(), 'sift-test-vectors') },
  },
});
