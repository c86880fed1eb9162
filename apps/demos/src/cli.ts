/**
 * `pnpm demo [name] [--out DIR] [--quick] [--backend wasm|cpu] [--dataset NAME]` — run one demo (default: spirals).
 * `pnpm demo --list` lists them.
 */
import { parseArgs } from 'node:util';
import { DEMOS, DEFAULT_DEMO } from './demos/index.js';

const usage = 'Usage: pnpm demo [name] [--out DIR] [--quick] [--backend wasm|cpu] [--dataset NAME (cnf)]';
let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      backend: { type: 'string' },
      dataset: { type: 'string' },
      quick: { type: 'boolean' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
try {
  parsed = parse();
} catch (e) {
  console.error(`${(e as Error).message}\n${usage}`);
  process.exit(2);
}
const { values: flags, positionals: positional } = parsed;

if (flags.list || flags.help) {
  console.log(`${usage}\n\nDemos:`);
  for (const [name, d] of Object.entries(DEMOS))
    console.log(`  ${name.padEnd(12)} ${d.description}${name === DEFAULT_DEMO ? '  (default)' : ''}`);
  process.exit(0);
}
const name = positional[0] ?? DEFAULT_DEMO;
const demo = DEMOS[name];
if (!demo) {
  console.error(`Unknown demo '${name}'. Known: ${Object.keys(DEMOS).join(', ')} (pnpm demo --list).`);
  process.exit(2);
}
console.log(`=== demo ${name}: ${demo.description}`);
const out = flags.out;
if (flags.dataset) process.env.NDE_DEMO_DATASET = flags.dataset; // cnf: which 2-D toy
if (flags.backend !== undefined && flags.backend !== 'wasm' && flags.backend !== 'cpu') {
  console.error(`--backend must be wasm or cpu (got ${flags.backend}).\n${usage}`);
  process.exit(2);
}
const backend = flags.backend as 'wasm' | 'cpu' | undefined;
const t0 = performance.now();
let result: Awaited<ReturnType<typeof demo.run>>;
try {
  result = await demo.run({
    ...(out ? { out } : {}),
    ...(backend ? { backend } : {}),
    ...(flags.quick ? { quick: true } : {}),
  });
} catch (e) {
  // Print the error ourselves: tfjs-backend-wasm's uncaught-exception handler would dump its whole module source.
  console.error(`\ndemo ${name} failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
}
console.log(`\nWrote ${result.files.length} files in ${((performance.now() - t0) / 1000).toFixed(1)} s to:\n  ${result.out}`);
for (const f of result.files) console.log(`    ${f.slice(result.out.length + 1)}`);
