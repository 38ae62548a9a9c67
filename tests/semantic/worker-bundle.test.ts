import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

/** Every module the Worker entry reaches through static and dynamic imports, and the packages. */
function reach(entry: string) {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [resolve(root, entry)];
  for (let f = todo.pop(); f; f = todo.pop()) {
    if (files.has(f)) continue;
    files.add(f);
    for (const [, spec] of readFileSync(f, 'utf8').matchAll(IMPORT)) {
      if (!spec!.startsWith('.')) {
        packages.add(spec!);
        continue;
      }
      const base = resolve(dirname(f), spec!);
      const found = [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find(
        (p) => existsSync(p) && /\.(ts|tsx|js|mjs)$/.test(p),
      );
      if (found) todo.push(found);
    }
  }
  return { files: [...files].map((f) => relative(root, f)), packages: [...packages] };
}

describe('the Worker bundle', () => {
  it('never reaches the sentence encoder, its file cache or its model (Workers rank without them)', () => {
    const { files, packages } = reach('src/entry/worker.ts');
    expect(files.length).toBeGreaterThan(20);
    expect(files).not.toContain('src/semantic/encoder.ts');
    expect(files).not.toContain('src/semantic/cache.ts');
    expect(packages.filter((p) => p.startsWith('@energetic-ai/'))).toEqual([]);
    // What it does reach of the sentence code is pure (no Node built-ins anywhere in the bundle).
    expect(files).toContain('src/rank/sentence-space.ts');
    expect(packages.filter((p) => p.startsWith('node:'))).toEqual([]);
  });

  it('would notice: the CLI does reach them', () => {
    const { files, packages } = reach('src/cli/rank.ts');
    expect(files).toContain('src/semantic/encoder.ts');
    expect(files).toContain('src/semantic/cache.ts');
    expect(packages).toContain('@energetic-ai/embeddings');
  });
});
