import { fileURLToPath } from 'node:url';
import { readdirSync, existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
// Tests import workspace packages by name; resolve them to source so no build is needed.
const alias = [
  { find: /^@nde\/test-utils$/, replacement: `${root}tooling/test/index.ts` },
  { find: /^@nde\/plot$/, replacement: `${root}tooling/plot/src/index.ts` },
  { find: /^@nde\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
];
const dirs = ['packages', 'apps', 'tooling'].flatMap((group) =>
  readdirSync(`${root}${group}`)
    .filter((name) => existsSync(`${root}${group}/${name}/test`))
    .map((name) => ({ group, name })),
);

export default defineConfig({
  resolve: { alias },
  test: {
    projects: dirs.map(({ group, name }) => ({
      resolve: { alias },
      test: {
        name,
        root: `${root}${group}/${name}`,
        include: ['test/**/*.test.ts'],
        testTimeout: 120_000,
        hookTimeout: 120_000,
        pool: 'forks',
      },
    })),
  },
});
