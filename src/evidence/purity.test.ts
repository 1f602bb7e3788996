/**
 * Verifying evidence is pure and isomorphic like the log core (docs/design.md): the same code
 * runs in the CLI and in the single-file offline verifier, so no module may import Node's APIs
 * or reach for I/O, a clock or randomness of its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('./', import.meta.url);
const modules = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('src/evidence purity', () => {
  it.each(modules)('%s imports only evidence, records, the log core and zod', (file) => {
    const source = readFileSync(new URL(file, dir), 'utf8');
    const imports = [...source.matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/g)].map(
      (m) => m[1]!,
    );
    for (const spec of imports) {
      expect(spec).toMatch(/^(\.\/[\w-]+\.js|\.\.\/(log|records)\/[\w-]+\.js|zod)$/);
    }
    expect(source).not.toMatch(
      /\b(process|require|Buffer|Date\.now|new Date|Math\.random|crypto\.getRandomValues|fetch)\b/,
    );
  });
});
