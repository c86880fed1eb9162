/**
 * `pnpm demo [name] [--out DIR] [--quick] [--backend wasm|cpu] [--dataset NAME]` — run one demo (default: spirals).
 * `pnpm demo --list` lists them.
 */
import { DEMOS, DEFAULT_DEMO } from './demos/index.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const positional = args.filter((a, i) => !a.startsWith('--') && !['--out', '--backend', '--dataset'].includes(args[i - 1] ?? ''));

if (args.includes('--list') || args.includes('--help') || args.includes('-h')) {
  console.log('Usage: pnpm demo [name] [--out DIR] [--quick] [--backend wasm|cpu] [--dataset NAME (cnf)]\n\nDemos:');
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
const out = flag('--out');
if (flag('--dataset')) process.env.NDE_DEMO_DATASET = flag('--dataset'); // cnf: which 2-D toy
const backend = flag('--backend') as 'wasm' | 'cpu' | undefined;
const t0 = performance.now();
let result: Awaited<ReturnType<typeof demo.run>>;
try {
  result = await demo.run({
    ...(out ? { out } : {}),
    ...(backend ? { backend } : {}),
    ...(args.includes('--quick') ? { quick: true } : {}),
  });
} catch (e) {
  // Print the error ourselves: tfjs-backend-wasm's uncaught-exception handler would dump its whole module source.
  console.error(`\ndemo ${name} failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
}
console.log(`\nWrote ${result.files.length} files in ${((performance.now() - t0) / 1000).toFixed(1)} s to:\n  ${result.out}`);
for (const f of result.files) console.log(`    ${f.slice(result.out.length + 1)}`);
