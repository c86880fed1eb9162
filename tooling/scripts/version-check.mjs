#!/usr/bin/env node
// Release-versioning check: `pnpm version-packages` (changeset version) on a sample changeset bumps the
// right packages.
//
// Copies the workspace's manifests and changeset config into a temporary folder, replaces the pending
// changesets with one sample (`@nde/brownian: minor`), runs the real `changeset version` there, and
// checks the result against the rule our config promises: the named package gets its bump, every
// package that depends on a bumped package through `workspace:^` gets a patch bump and its range updated
// (`updateInternalDependencies: "patch"`), nothing else moves, and each bumped package gets a
// CHANGELOG.md. Usage: `node tooling/scripts/version-check.mjs` (part of `pnpm test:release`).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const changesetBin = join(dirname(createRequire(join(root, 'package.json')).resolve('@changesets/cli/package.json')), 'bin.js');
const SAMPLE = { name: '@nde/brownian', bump: 'minor' };

/** Workspace folders as pnpm-workspace.yaml lists them (`dir/*` globs and plain paths). */
function workspaceDirs() {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const patterns = [...yaml.matchAll(/^\s*-\s*['"]?([^'"\n]+)['"]?\s*$/gm)].map((m) => m[1].trim());
  return patterns.flatMap((p) =>
    p.endsWith('/*')
      ? readdirSync(join(root, p.slice(0, -2)), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => `${p.slice(0, -2)}/${e.name}`)
      : [p],
  );
}

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const bumpVersion = (v, kind) => {
  const [major, minor, patch] = v.split('.').map(Number);
  if (kind === 'major') return `${major + 1}.0.0`;
  if (kind === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
};

const temp = mkdtempSync(join(tmpdir(), 'nde-version-check-'));
const failures = [];
try {
  for (const file of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(root, file), join(temp, file));
  mkdirSync(join(temp, '.changeset'));
  cpSync(join(root, '.changeset/config.json'), join(temp, '.changeset/config.json'));
  writeFileSync(join(temp, '.changeset/sample.md'), `---\n"${SAMPLE.name}": ${SAMPLE.bump}\n---\n\nSample change for the version check.\n`);

  const before = new Map();
  for (const dir of workspaceDirs()) {
    if (!existsSync(join(root, dir, 'package.json'))) continue;
    mkdirSync(join(temp, dir), { recursive: true });
    cpSync(join(root, dir, 'package.json'), join(temp, dir, 'package.json'));
    const pkg = readJson(join(root, dir, 'package.json'));
    before.set(pkg.name, { dir, pkg });
  }

  const run = spawnSync(process.execPath, [changesetBin, 'version'], { cwd: temp, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`changeset version failed:\n${run.stdout}\n${run.stderr}`);

  // Expected bumps: the sample, then (to a fixed point) patch for every non-private dependent of a bumped package.
  const ignored = new Set(readJson(join(root, '.changeset/config.json')).ignore ?? []);
  const expected = new Map([[SAMPLE.name, SAMPLE.bump]]);
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, { pkg }] of before) {
      if (expected.has(name) || ignored.has(name) || pkg.private) continue;
      const deps = { ...pkg.dependencies, ...pkg.peerDependencies };
      if (Object.entries(deps).some(([dep, range]) => expected.has(dep) && String(range).startsWith('workspace:'))) {
        expected.set(name, 'patch');
        changed = true;
      }
    }
  }

  console.log(`version-check: sample changeset "${SAMPLE.name}: ${SAMPLE.bump}"`);
  for (const [name, { dir, pkg }] of before) {
    const after = readJson(join(temp, dir, 'package.json'));
    const kind = expected.get(name);
    const want = kind ? bumpVersion(pkg.version, kind) : pkg.version;
    const changelog = existsSync(join(temp, dir, 'CHANGELOG.md'));
    const mark = after.version === want && changelog === Boolean(kind) ? 'ok ' : 'BAD';
    if (!pkg.private || kind)
      console.log(`  ${mark} ${name}: ${pkg.version} -> ${after.version} (expected ${want}${kind ? `, ${kind}` : ''})`);
    if (after.version !== want) failures.push(`${name} is ${after.version}, expected ${want}`);
    if (changelog !== Boolean(kind)) failures.push(`${name} ${kind ? 'lacks' : 'should not get'} a CHANGELOG.md`);
    // Dependents keep `workspace:^` (pnpm rewrites it at pack time), so the range itself must survive.
    for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
      if (String(range).startsWith('workspace:') && after.dependencies?.[dep] !== range) {
        failures.push(`${name}: dependency ${dep} changed from ${range} to ${after.dependencies?.[dep]}`);
      }
    }
  }
  const sampleLog = readFileSync(join(temp, before.get(SAMPLE.name).dir, 'CHANGELOG.md'), 'utf8');
  if (!sampleLog.includes('Sample change for the version check.')) failures.push(`${SAMPLE.name}'s CHANGELOG.md lacks the changeset text`);
} finally {
  rmSync(temp, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`version-check failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('version-check: passed');
