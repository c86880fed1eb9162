import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The browser playground: `pnpm playground` (dev), `pnpm playground:build` → apps/demos/dist/playground. */
export default defineConfig({
  root: here,
  base: './',
  // Workspace packages resolve to their TypeScript sources (no build of the libraries needed).
  resolve: { conditions: ['source', 'module', 'browser', 'development|production'] },
  build: {
    outDir: fileURLToPath(new URL('../dist/playground', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
  },
  // 'info' prints the dev/preview server's URL; the e2e test builds with logLevel 'warn' itself.
  logLevel: 'info',
});
