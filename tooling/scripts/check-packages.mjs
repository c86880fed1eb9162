#!/usr/bin/env node
// Validates the publishing metadata of every publishable package under packages/* (any package.json
// there without "private": true). Run: `pnpm check:packages` (add `--built` to also require the files
// that `exports` points at to exist, i.e. after `pnpm build`; add package names to check only those).
//
// Each rule says what is wrong and how to fix it; the exit code is 1 when any rule fails.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const built = process.argv.includes('--built');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));

/** Packages the check applies to: every non-private packages/<name>/package.json. */
export function publishablePackages() {
  const dir = join(root, 'packages');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'package.json')))
    .map((d) => {
      const path = join(dir, d.name);
      return { dir: path, pkg: JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) };
    })
    .filter(({ pkg }) => !pkg.private);
}

/** Optional TensorFlow.js backends: allowed only as optional peers. */
const OPTIONAL_BACKENDS = [
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
];

function checkPackage({ dir, pkg }) {
  const problems = [];
  const fail = (msg) => problems.push(msg);
  const rel = relative(root, dir);

  if (!/^@nde\/[a-z0-9-]+$/.test(pkg.name ?? '')) fail(`"name" must be @nde/<kebab-name> (got ${JSON.stringify(pkg.name)})`);
  if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(pkg.version ?? '')) fail(`"version" must be semver (got ${JSON.stringify(pkg.version)})`);
  if (!pkg.description || pkg.description.length < 10) fail('"description" is missing or too short (npm search shows it)');
  if (!pkg.license) fail('"license" is missing (use "MIT", as the LICENSE file)');
  if (pkg.type !== 'module') fail('"type" must be "module" (the packages are ESM only)');
  if (pkg.sideEffects !== false && !Array.isArray(pkg.sideEffects)) {
    fail('"sideEffects" must be false (or the list of files with side effects) so bundlers can tree-shake');
  }
  if (!pkg.engines?.node) fail('"engines.node" is missing (use ">=20")');
  else if (!/^>=\s*(20|2[1-9]|[3-9]\d)/.test(pkg.engines.node)) fail(`"engines.node" should be ">=20" (got "${pkg.engines.node}")`);

  // exports: ESM only, with types.
  const dot = pkg.exports?.['.'];
  if (!dot || typeof dot !== 'object') {
    fail('"exports" must have a "." entry object: { "types": "./dist/index.d.ts", "import": "./dist/index.js" }');
  } else {
    const keys = Object.keys(dot);
    if (!dot.types) fail('"exports[\'.\'].types" is missing (TypeScript users need it)');
    if (!dot.import && !dot.default) fail('"exports[\'.\'].import" is missing');
    if (dot.require) fail('"exports[\'.\'].require" is set, but the packages are ESM only: remove it');
    const iTypes = keys.indexOf('types');
    const iImport = keys.indexOf(dot.import ? 'import' : 'default');
    if (iTypes > iImport) fail('"exports[\'.\']": "types" must come before "import"/"default" (conditions match in order)');
    for (const cond of ['types', 'import', 'default']) {
      const target = dot[cond];
      if (!target) continue;
      if (!target.startsWith('./dist/')) fail(`"exports['.'].${cond}" must point into ./dist (got ${target})`);
      if (built && !existsSync(join(dir, target))) fail(`"exports['.'].${cond}" → ${target} does not exist after the build`);
    }
    if (dot.types && !dot.types.endsWith('.d.ts')) fail(`"exports['.'].types" must be a .d.ts file (got ${dot.types})`);
  }
  if (pkg.exports?.['./package.json'] !== './package.json')
    fail('"exports[\'./package.json\']" should be "./package.json" (tools read it)');
  if (pkg.main && dot?.import && pkg.main !== dot.import) fail(`"main" (${pkg.main}) differs from "exports['.'].import" (${dot.import})`);
  if (pkg.types && dot?.types && pkg.types !== dot.types) fail(`"types" (${pkg.types}) differs from "exports['.'].types" (${dot.types})`);

  // files
  const files = pkg.files ?? [];
  if (!Array.isArray(pkg.files)) fail('"files" is missing: list what gets published, e.g. ["dist", "src", "README.md", "LICENSE"]');
  for (const need of ['dist', 'README.md', 'LICENSE']) {
    if (!files.some((f) => f === need || f === `${need}/` || f.startsWith(`${need}/`))) fail(`"files" must include "${need}"`);
  }
  if (files.some((f) => /^(test|tests)(\/|$)/.test(f))) fail('"files" must not publish tests');

  // peers: tfjs required, backends optional, tfjs never a hard dependency.
  const peers = pkg.peerDependencies ?? {};
  const meta = pkg.peerDependenciesMeta ?? {};
  if (!peers['@tensorflow/tfjs']) fail('"peerDependencies" must include "@tensorflow/tfjs": "^4.22.0" (one tfjs per app)');
  else if (meta['@tensorflow/tfjs']?.optional) fail('"@tensorflow/tfjs" must be a required peer, not optional');
  for (const name of Object.keys(peers)) {
    if (OPTIONAL_BACKENDS.includes(name) && !meta[name]?.optional) {
      fail(`peer "${name}" is an optional backend: add "peerDependenciesMeta": { "${name}": { "optional": true } }`);
    }
  }
  for (const name of Object.keys(pkg.dependencies ?? {})) {
    if (name.startsWith('@tensorflow/')) fail(`"${name}" is in "dependencies": make it a peer dependency (apps choose the tfjs version)`);
  }
  for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
    if (name.startsWith('@nde/') && !String(range).startsWith('workspace:')) {
      fail(`internal dependency "${name}": "${range}" must use the workspace protocol ("workspace:^") so versions stay in step`);
    }
  }

  // scripts
  for (const s of ['build', 'typecheck', 'lint']) if (!pkg.scripts?.[s]) fail(`"scripts.${s}" is missing (turbo runs it in every package)`);
  if (!existsSync(join(dir, 'tsconfig.build.json'))) fail('tsconfig.build.json is missing (the build compiles src → dist with it)');
  if (pkg.name?.startsWith('@') && pkg.publishConfig?.access !== 'public') {
    fail('"publishConfig.access" must be "public" (scoped packages are private on npm by default)');
  }

  // README and LICENSE
  const readme = join(dir, 'README.md');
  if (!existsSync(readme)) fail('README.md is missing (needs an install line and a runnable example)');
  else {
    const text = readFileSync(readme, 'utf8');
    if (!text.includes(pkg.name)) fail(`README.md never names ${pkg.name}`);
    if (!/(npm (i|install)|pnpm add|yarn add)\s+[^\n]*@nde\//.test(text)) {
      fail(`README.md has no install line (e.g. "npm i ${pkg.name} @tensorflow/tfjs")`);
    }
    if (!/```(ts|js|typescript|javascript)\b/.test(text)) fail('README.md has no ```ts or ```js example');
  }
  if (!existsSync(join(dir, 'LICENSE'))) fail('LICENSE is missing (copy the root LICENSE)');

  return { rel, name: pkg.name, problems };
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const results = publishablePackages()
    .filter(({ pkg }) => only.length === 0 || only.includes(pkg.name))
    .map(checkPackage);
  let bad = 0;
  for (const { rel, name, problems } of results) {
    if (problems.length === 0) {
      console.log(`ok   ${name} (${rel})`);
      continue;
    }
    bad++;
    console.error(`FAIL ${name} (${rel}/package.json):`);
    for (const p of problems) console.error(`     - ${p}`);
  }
  if (results.length === 0) {
    console.error('no publishable packages found under packages/*');
    process.exit(1);
  }
  if (bad) {
    console.error(`\ncheck-packages: ${bad} of ${results.length} packages have problems (see above).`);
    process.exit(1);
  }
  console.log(`check-packages: ${results.length} packages ok${built ? ' (including built files)' : ''}`);
}
