#!/usr/bin/env node
// Offline publish dry run: what `pnpm release` would publish, without a registry.
//
// `pnpm -r publish --dry-run` asks the registry which versions already exist (minutes of retries when
// offline), so this packs every publishable package instead (pnpm pack rewrites workspace:^ exactly as
// publish does) and prints name, version, dependencies, file count and size of each tarball, plus the
// pending changesets. Usage: `pnpm release:dry` (builds first).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishablePackages } from './check-packages.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const sh = (cmd, args, cwd = root) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

const packages = publishablePackages();
console.log('building…');
sh('pnpm', ['exec', 'turbo', 'run', 'build', ...packages.map((p) => `--filter=${p.pkg.name}`), '--output-logs=errors-only']);
const check = spawnSync(process.execPath, [join(root, 'tooling/scripts/check-packages.mjs'), '--built'], { stdio: 'inherit' });

const out = mkdtempSync(join(tmpdir(), 'nde-release-dry-'));
try {
  console.log('\nwould publish (npm, access public, tag latest):');
  for (const { dir } of packages) {
    const before = new Set(readdirSync(out));
    sh('pnpm', ['pack', '--pack-destination', out], dir);
    const file = readdirSync(out).find((f) => !before.has(f));
    const tarball = join(out, file);
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    const deps = Object.entries(manifest.dependencies ?? {}).map(([k, v]) => `${k}@${v}`);
    console.log(
      `  ${manifest.name}@${manifest.version}  ${files.length} files, ${(statSync(tarball).size / 1024).toFixed(1)} KiB` +
        (deps.length ? `  deps: ${deps.join(', ')}` : ''),
    );
  }
  const status = spawnSync('pnpm', ['exec', 'changeset', 'status'], { cwd: root, encoding: 'utf8' });
  console.log(`\npending changesets (pnpm version-packages would apply them):\n${(status.stdout + status.stderr).trim()}`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (check.status !== 0) {
  console.error('\nrelease:dry: check-packages failed; fix the packages above before releasing.');
  process.exit(1);
}
