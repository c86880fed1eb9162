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
// The examples folder is one project of its own (its test runs the examples and the README blocks).
const projects = [
  ...dirs.map(({ group, name }) => ({ name, root: `${root}${group}/${name}` })),
  { name: 'examples', root: `${root}examples` },
];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: projects.map(({ name, root: projectRoot }) => ({
      resolve: { alias },
      test: {
        name,
        root: projectRoot,
        include: ['test/**/*.test.ts'],
        testTimeout: 120_000,
        hookTimeout: 120_000,
        pool: 'forks',
      },
    })),
  },
});
