#!/usr/bin/env node
// Packaging test: what users get from npm, not what the workspace sees.
//
//  1. build every publishable package (turbo) and check its metadata (check-packages --built);
//  2. `pnpm pack` each into a temporary folder (workspace:^ ranges become real versions);
//  3. create a fresh project under os.tmpdir(), OUTSIDE the workspace, and `npm install` the tarballs
//     + @tensorflow/tfjs@4.22.0 with plain npm (no pnpm, no workspace links, no `source` condition);
//  4. run an ESM smoke script importing every package (core: useBackend('cpu') + tree ops; any package
//     exporting `odeint`: dy/dt = -y, y(1) ≈ e^-1; the others: non-empty exports), run every examples/*.mjs
//     with plain node, then type-check a TypeScript consumer with moduleResolution NodeNext against the
//     published .d.ts files;
//  5. bundle a browser entry with esbuild (tree-shaken, minified), report its size, and fail when the bundle
//     pulls in Node-only modules. Every other package must bundle for the browser too.
//
// Usage: node tooling/scripts/pack-test.mjs [--keep] [--skip-build] [@nde/name ...]   (names: only those packages)
// Exit code 1 on any failure. Everything is written under os.tmpdir() and removed at the end (unless --keep).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { publishablePackages } from './check-packages.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const keep = process.argv.includes('--keep');
const skipBuild = process.argv.includes('--skip-build');
const TFJS = '4.22.0';
const started = performance.now();
const failures = [];
const warnings = [];

const step = (msg) => console.log(`\n[pack-test +${((performance.now() - started) / 1000).toFixed(1)}s] ${msg}`);
function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  if (res.status !== 0) {
    const out = `${res.stdout ?? ''}\n${res.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status}) in ${opts.cwd ?? process.cwd()}:\n${out}`);
  }
  return res.stdout;
}

const all = publishablePackages();
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
// Named packages bring their internal dependencies along (npm needs every @nde/* tarball they use).
for (let i = 0; i < only.length; i++) {
  const deps = Object.keys(all.find(({ pkg }) => pkg.name === only[i])?.pkg.dependencies ?? {});
  for (const d of deps) if (d.startsWith('@nde/') && !only.includes(d)) only.push(d);
}
const packages = all
  .filter(({ pkg }) => only.length === 0 || only.includes(pkg.name))
  .map(({ dir, pkg }) => {
    const index = join(dir, 'src/index.ts');
    const src = existsSync(index) ? readFileSync(index, 'utf8') : '';
    // A skeleton is an index with no export besides `export {}` (the package is still being written).
    const skeleton = !/^\s*export\s+(?!\{\s*\}\s*;?)/m.test(src.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''));
    return { dir, name: pkg.name, version: pkg.version, skeleton };
  });

const work = mkdtempSync(join(tmpdir(), 'nde-pack-test-'));
const tarballs = join(work, 'tarballs');
const project = join(work, 'consumer');
mkdirSync(tarballs);
mkdirSync(project);

try {
  // 1. build + metadata
  if (!skipBuild) {
    step(`building ${packages.length} packages (turbo, cached when unchanged)`);
    run('pnpm', ['exec', 'turbo', 'run', 'build', ...packages.map((p) => `--filter=${p.name}`), '--output-logs=errors-only'], {
      cwd: root,
    });
  }
  step('checking package metadata (check-packages --built)');
  const check = spawnSync(process.execPath, [join(root, 'tooling/scripts/check-packages.mjs'), '--built', ...only], { encoding: 'utf8' });
  process.stdout.write(check.stdout);
  if (check.status !== 0) {
    process.stderr.write(check.stderr);
    failures.push('check-packages failed (see above)');
  }

  // 2. pack
  step(`pnpm pack → ${tarballs}`);
  for (const p of packages) {
    const before = new Set(readdirSync(tarballs));
    run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: p.dir });
    const made = readdirSync(tarballs).filter((f) => !before.has(f));
    if (made.length !== 1) throw new Error(`pnpm pack in ${p.dir} made ${made.length} tarballs`);
    p.tarball = join(tarballs, made[0]);
    const listing = execFileSync('tar', ['-tzf', p.tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', p.tarball, 'package/package.json'], { encoding: 'utf8' }));
    const internal = Object.entries(manifest.dependencies ?? {}).filter(([, v]) => String(v).startsWith('workspace:'));
    if (internal.length) failures.push(`${p.name}: the tarball still has workspace: ranges (${internal.map(([k]) => k).join(', ')})`);
    for (const must of [
      'package/package.json',
      'package/README.md',
      'package/LICENSE',
      'package/dist/index.js',
      'package/dist/index.d.ts',
    ]) {
      if (!listing.includes(must)) failures.push(`${p.name}: ${must.slice(8)} is missing from the tarball`);
    }
    const tests = listing.filter((f) => /\/test\/|\.test\.[tj]s$/.test(f));
    if (tests.length) failures.push(`${p.name}: the tarball contains tests (${tests.slice(0, 3).join(', ')})`);
    console.log(`  ${made[0]}: ${listing.length} files${p.skeleton ? ' (skeleton: no exports yet)' : ''}`);
  }

  // 3. fresh npm project outside the workspace
  step(`npm install in ${project} (outside the workspace)`);
  const fileDeps = Object.fromEntries(packages.map((p) => [p.name, `file:${relative(project, p.tarball)}`]));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify(
      {
        name: 'nde-pack-test-consumer',
        private: true,
        type: 'module',
        dependencies: { ...fileDeps, '@tensorflow/tfjs': TFJS, '@tensorflow/tfjs-backend-wasm': TFJS },
        // Internal dependencies (^0.1.0 in the tarballs) must come from these tarballs, never the registry.
        overrides: fileDeps,
      },
      null,
      2,
    ),
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', '--no-package-lock'], { cwd: project });
  for (const p of packages) {
    const installed = join(project, 'node_modules', p.name, 'package.json');
    if (!existsSync(installed)) failures.push(`${p.name} is not in node_modules after npm install`);
    const nested = join(project, 'node_modules', p.name, 'node_modules');
    if (existsSync(nested) && readdirSync(nested).some((d) => d === '@nde' || d === '@tensorflow')) {
      failures.push(`${p.name} got its own nested copy of @nde/* or @tensorflow/* (two tfjs instances would break backends)`);
    }
  }

  // 4. smoke test (ESM, Node)
  step('ESM smoke test (node)');
  const smoke = `
import * as tf from '@tensorflow/tfjs';
const results = [];
const fail = (name, msg) => { results.push({ name, ok: false, msg }); };
const packages = ${JSON.stringify(packages.map(({ name, skeleton }) => ({ name, skeleton })))};
for (const { name, skeleton } of packages) {
  let m;
  try { m = await import(name); } catch (e) { fail(name, 'import failed: ' + (e.stack || e)); continue; }
  const keys = Object.keys(m);
  try {
    if (name === '@nde/core') {
      const info = await m.useBackend('cpu');
      if (info.name !== 'cpu' || tf.getBackend() !== 'cpu') throw new Error('useBackend did not select cpu on the shared tfjs instance (got ' + tf.getBackend() + ')');
      const before = tf.memory().numTensors;
      const a = { x: tf.tensor1d([1, 2]), y: [tf.scalar(3)] };
      const b = m.treeAxpy(2, a, a); // a + 2a = 3a
      const got = [...(await b.x.data()), ...(await b.y[0].data())];
      if (got.join() !== '3,6,9') throw new Error('treeAxpy(2, a, a) gave ' + got.join());
      const norm = m.treeNorm(a);
      const n = (await norm.data())[0];
      if (Math.abs(n - Math.sqrt(14)) > 1e-5) throw new Error('treeNorm gave ' + n);
      m.treeDispose(a, b, norm);
      if (tf.memory().numTensors !== before) throw new Error('tree ops leaked ' + (tf.memory().numTensors - before) + ' tensors');
      results.push({ name, ok: true, msg: 'useBackend(cpu), treeAxpy, treeNorm, no leaks (' + keys.length + ' exports)' });
    } else if (typeof m.odeint === 'function') {
      const ys = m.odeint((t, y) => tf.neg(y), tf.ones([1]), [0, 1]);
      const v = await ys.data();
      const y1 = v[v.length - 1];
      if (!(Math.abs(y1 - Math.exp(-1)) < 1e-4)) throw new Error('y(1) = ' + y1 + ', expected e^-1 = ' + Math.exp(-1));
      ys.dispose();
      results.push({ name, ok: true, msg: 'odeint dy/dt=-y: y(1) = ' + y1.toFixed(7) + ' (e^-1 = ' + Math.exp(-1).toFixed(7) + ')' });
    } else if (keys.length === 0) {
      if (skeleton) results.push({ name, ok: true, msg: 'imports; skeleton with no exports yet' });
      else fail(name, 'src/index.ts exports something but the published module has no exports');
    } else {
      results.push({ name, ok: true, msg: keys.length + ' exports' });
    }
  } catch (e) { fail(name, e.stack || String(e)); }
}
console.log(JSON.stringify(results));
`;
  writeFileSync(join(project, 'smoke.mjs'), smoke);
  const out = run(process.execPath, ['smoke.mjs'], { cwd: project });
  const results = JSON.parse(out.trim().split('\n').pop());
  for (const r of results) {
    console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: ${r.msg}`);
    if (!r.ok) failures.push(`${r.name}: ${r.msg.split('\n')[0]}`);
  }

  // 4a. every example, copied into the consumer and run with plain node (what a user does with them)
  if (only.length === 0) {
    step('examples/*.mjs with plain node in the consumer project');
    const exampleDir = join(root, 'examples');
    for (const f of readdirSync(exampleDir).filter((n) => n.endsWith('.mjs') && n !== 'run.mjs')) {
      writeFileSync(join(project, f), readFileSync(join(exampleDir, f)));
      const t = performance.now();
      const res = spawnSync(process.execPath, [f], { cwd: project, encoding: 'utf8', env: { ...process.env, NDE_EXAMPLE_STEPS: '40' } });
      const last = `${res.stdout ?? ''}`.trim().split('\n').pop();
      if (res.status !== 0)
        failures.push(
          `examples/${f} failed with plain node (exit ${res.status}): ${`${res.stderr}`.trim().split('\n').slice(-5).join(' | ')}`,
        );
      console.log(`  ${res.status === 0 ? 'ok  ' : 'FAIL'} ${f} (${((performance.now() - t) / 1000).toFixed(1)} s): ${last}`);
    }
  }

  // 4b. TypeScript consumer with NodeNext resolution against the published .d.ts files
  step('type-checking a TypeScript consumer (moduleResolution NodeNext) against the tarballs');
  const names = packages.map((p) => p.name);
  writeFileSync(
    join(project, 'consumer.ts'),
    [
      `import * as tf from '@tensorflow/tfjs';`,
      ...names.map((n, i) => `import * as p${i} from '${n}';`),
      `export const all = [${names.map((_, i) => `p${i}`).join(', ')}];`,
      `const core: typeof import('@nde/core') = p${names.indexOf('@nde/core')};`,
      `export const info: Promise<import('@nde/core').BackendInfo> = core.useBackend('cpu');`,
      `export const t: tf.Tensor = core.treeAxpy(2, tf.ones([2]), tf.ones([2]));`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        lib: ['ES2022', 'DOM'],
        types: [],
      },
      files: ['consumer.ts'],
    }),
  );
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], { encoding: 'utf8' });
  if (tsc.status !== 0) {
    // Only our own declaration files count; third-party .d.ts problems are not ours to fix.
    const ours = tsc.stdout.split('\n').filter((l) => /^(consumer\.ts|node_modules\/@nde\/)/.test(l));
    if (ours.length) {
      console.log(ours.slice(0, 20).join('\n'));
      failures.push(`the published type declarations do not type-check for a NodeNext consumer (${ours.length} errors)`);
    } else console.log('  ok (errors only in third-party declarations)');
  } else console.log('  ok');

  // 5. browser bundle with esbuild
  step('esbuild browser bundles (tree-shaken, minified)');
  const esbuild = await import('esbuild');
  const nodeOnly = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const solvers = packages.find((p) => p.name === '@nde/solvers' && !p.skeleton);
  const entrySrc = solvers
    ? `import * as tf from '@tensorflow/tfjs';\nimport { odeint } from '@nde/solvers';\nconst ys = odeint((t, y) => tf.neg(y), tf.ones([1]), [0, 1]);\nconsole.log(ys.dataSync());\n`
    : `import * as tf from '@tensorflow/tfjs';\nimport { useBackend, treeAdd } from '@nde/core';\nawait useBackend('cpu');\nconsole.log(treeAdd(tf.ones([1]), tf.ones([1])).dataSync());\n`;
  writeFileSync(join(project, 'browser-entry.mjs'), entrySrc);

  async function bundle(entryPoints, { externalTfjs = false, stdin } = {}) {
    const result = await esbuild.build({
      ...(stdin ? { stdin: { contents: stdin, resolveDir: project, loader: 'js' } } : { entryPoints }),
      absWorkingDir: project,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      treeShaking: true,
      metafile: true,
      logLevel: 'silent',
      external: externalTfjs ? ['@tensorflow/*'] : [],
    });
    const text = result.outputFiles[0].text;
    const imported = Object.values(result.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
    const nodeImports = [...new Set(imported.filter((p) => nodeOnly.has(p)))];
    for (const m of text.matchAll(
      /(?:from\s*|import\s*\(\s*|require\s*\(\s*)["'](node:[\w/]+|fs|path|os|child_process|worker_threads|crypto|url|module)["']/g,
    )) {
      nodeImports.push(m[1]);
    }
    return {
      bytes: Buffer.byteLength(text),
      gzip: gzipSync(text).length,
      nodeImports: [...new Set(nodeImports)],
      inputs: result.metafile.inputs,
    };
  }
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const what = solvers ? "odeint from '@nde/solvers'" : "useBackend, treeAdd from '@nde/core' (no @nde/solvers yet)";
  try {
    const full = await bundle(['browser-entry.mjs']);
    const own = await bundle(['browser-entry.mjs'], { externalTfjs: true });
    const ndeInputs = Object.keys(own.inputs).filter((p) => p.includes('@nde/'));
    console.log(`  entry: ${what}`);
    console.log(`  bundle with tfjs:           ${kb(full.bytes)} minified, ${kb(full.gzip)} gzip`);
    console.log(`  @nde code only (tfjs external): ${kb(own.bytes)} minified, ${kb(own.gzip)} gzip, from ${ndeInputs.length} modules`);
    if (full.nodeImports.length) failures.push(`the browser bundle of ${what} imports Node-only modules: ${full.nodeImports.join(', ')}`);
    else console.log('  no Node-only imports');
    bundle.summary = { entry: what, minified: full.bytes, gzip: full.gzip, ndeMinified: own.bytes, ndeGzip: own.gzip };
  } catch (e) {
    failures.push(`esbuild could not bundle ${what} for the browser: ${(e.errors ?? [e]).map((x) => x.text ?? x.message).join('; ')}`);
  }
  // Every package, imported whole, must bundle for the browser: Node-only modules (file loaders) are
  // mapped to empty stubs by each package's "browser" field and guarded by assertNodeRuntime at run time.
  for (const p of packages.filter((q) => !q.skeleton)) {
    try {
      const r = await bundle(null, { externalTfjs: true, stdin: `export * from '${p.name}';` });
      if (r.nodeImports.length) failures.push(`${p.name} pulls Node-only modules into a browser bundle: ${r.nodeImports.join(', ')}`);
      else console.log(`  ${p.name}: browser-safe (${kb(r.bytes)} minified without tfjs)`);
    } catch (e) {
      failures.push(
        `${p.name} does not bundle for the browser (map Node-only modules to false in its package.json "browser" field): ${[...new Set((e.errors ?? [e]).map((x) => x.text ?? x.message))].join('; ')}`,
      );
    }
  }
} catch (e) {
  failures.push(e.message);
} finally {
  if (keep) console.log(`\n(kept ${work})`);
  else rmSync(work, { recursive: true, force: true });
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
for (const w of warnings) console.warn(`WARN ${w}`);
if (failures.length) {
  console.error(`\npack-test FAILED in ${seconds}s:`);
  for (const f of failures) console.error(`  - ${f}`);
  process.exit(1);
}
console.log(`\npack-test passed in ${seconds}s (${packages.length} packages${warnings.length ? `, ${warnings.length} warnings` : ''})`);
