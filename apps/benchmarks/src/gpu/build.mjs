/**
 * Bundle the GPU benchmark into one folder that runs with Node alone (no install):
 *   dist/gpu-bench/bench.mjs              tfjs, the webgpu and wasm backends and @nde/* in one file
 *   dist/gpu-bench/dist/<platform>/dawn.node  Dawn (the `webgpu` package's native addon) for each platform asked for
 *   dist/gpu-bench/*.wasm                 the wasm backend's binaries
 * and check the folder is under 64 MiB. Usage: node src/gpu/build.mjs [--platforms linux-x64,...] [--no-minify]
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { platforms: { type: 'string', default: 'linux-x64' }, 'no-minify': { type: 'boolean', default: false } },
});
const appRoot = fileURLToPath(new URL('../..', import.meta.url));
const out = join(appRoot, 'dist/gpu-bench');
const require = createRequire(join(appRoot, 'package.json'));
const LIMIT = 64 * 1024 * 1024;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(appRoot, 'src/gpu/main.ts')],
  outfile: join(out, 'bench.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The workspace packages' TypeScript sources (their "source" export condition).
  conditions: ['source'],
  minify: !values['no-minify'],
  // tfjs's backends register themselves (and their kernels) when imported, in packages marked
  // "sideEffects": false: honouring the mark would drop the registrations.
  ignoreAnnotations: true,
  legalComments: 'none',
  // CommonJS inside an ES module bundle needs require, __dirname and __filename.
  banner: {
    js: [
      "import { createRequire as __ndeCreateRequire } from 'node:module';",
      "import { fileURLToPath as __ndeFileURLToPath } from 'node:url';",
      "import { dirname as __ndeDirname } from 'node:path';",
      'const require = __ndeCreateRequire(import.meta.url);',
      'const __filename = __ndeFileURLToPath(import.meta.url);',
      'const __dirname = __ndeDirname(__filename);',
    ].join('\n'),
  },
  logLevel: 'warning',
});

// The webgpu package loads dist/<platform>-<arch>/dawn.node relative to its own file: the bundle's folder now.
const webgpuDir = dirname(require.resolve('webgpu/package.json'));
for (const platform of (values.platforms ?? '').split(',').filter(Boolean)) {
  const dir = platform === 'darwin-x64' || platform === 'darwin-arm64' ? 'darwin-universal' : platform;
  mkdirSync(join(out, 'dist', dir), { recursive: true });
  for (const f of readdirSync(join(webgpuDir, 'dist', dir))) copyFileSync(join(webgpuDir, 'dist', dir, f), join(out, 'dist', dir, f));
}
const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(out, f));
writeFileSync(
  join(out, 'README.txt'),
  'GPU benchmark of @nde (neural ODE/SDE training, GBM Monte Carlo; webgpu and wasm).\n' +
    'Run with Node 20+ on a machine with a GPU driver (Vulkan):\n' +
    '  node bench.mjs --out gpu-bench.json          # full sizes\n' +
    '  node bench.mjs --quick --out smoke.json      # small sizes, a minute or two\n',
);

const sizeOf = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((n, f) => n + sizeOf(join(p, f)), 0) : statSync(p).size);
const total = sizeOf(out);
console.log(`gpu-bench: ${out}, ${(total / 2 ** 20).toFixed(1)} MiB (limit 64 MiB)`);
if (total > LIMIT) {
  console.error('gpu-bench is over 64 MiB: build fewer platforms (--platforms linux-x64).');
  process.exit(1);
}
