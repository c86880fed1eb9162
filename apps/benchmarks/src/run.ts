/**
 * `pnpm bench [area…]`: runs every `<area>.bench.ts` (or the named ones) in this folder.
 * Each bench module exports `run(backends: string[]): Promise<void>`.
 * Backends: NDE_BENCH_BACKENDS (default `cpu,wasm`).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = fileURLToPath(new URL('.', import.meta.url));
const wanted = parseArgs({ allowPositionals: true, options: {} }).positionals;
const backends = (process.env.NDE_BENCH_BACKENDS ?? 'cpu,wasm').split(',').filter(Boolean);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace('.bench.ts', '')));
for (const file of files) {
  console.log(`\n=== ${file} on ${backends.join(', ')}`);
  const mod = (await import(`./${file}`)) as { run: (b: string[]) => Promise<void> };
  await mod.run(backends);
}
