#!/usr/bin/env node
// Docs check: every symbol a package exports has a TSDoc comment.
//
// Runs TypeDoc (root typedoc.json, entryPointStrategy "packages") without emitting, with
// validation.notDocumented on, and lists the undocumented exports per package. Exit code 1 if any.
//
//   pnpm docs:check                   all packages
//   pnpm docs:check @nde/core         only these packages
//   pnpm docs:check --members         also require docs on members (properties, methods, enum members)
//   pnpm docs:check --members --params  and on every parameter of an exported function (@param)
//
// Broken {@link} targets fail the check too (TypeDoc would warn about them when building the site).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const members = process.argv.includes('--members');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));

const exportKinds = ['Enum', 'Variable', 'Function', 'Class', 'Interface', 'TypeAlias', 'Namespace'];
const params = process.argv.includes('--params');
const memberKinds = ['EnumMember', 'Property', 'Method', 'Accessor', ...(params ? ['Parameter'] : [])];
const validation = { notExported: true, invalidLink: true, notDocumented: true };
const required = members ? [...exportKinds, ...memberKinds] : exportKinds;

const dir = mkdtempSync(join(tmpdir(), 'nde-docs-check-'));
const options = join(dir, 'typedoc.json');
const entryPoints = only.length ? only.map((n) => `packages/${n.replace(/^@nde\//, '')}`) : ['packages/*'];
for (const e of entryPoints) {
  if (!e.includes('*') && !existsSync(join(root, e, 'package.json'))) {
    console.error(`docs-check: no package at ${e}`);
    process.exit(2);
  }
}
writeFileSync(
  options,
  JSON.stringify({
    extends: [join(root, 'typedoc.json')],
    entryPoints: entryPoints.map((e) => join(root, e)),
    validation,
    requiredToBeDocumented: required,
    packageOptions: {
      entryPoints: ['src/index.ts'],
      tsconfig: 'tsconfig.json',
      readme: 'none',
      excludePrivate: true,
      excludeInternal: true,
      skipErrorChecking: true,
      disableSources: true,
      validation,
      requiredToBeDocumented: required,
    },
  }),
);

const started = performance.now();
const res = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typedoc/bin/typedoc'), '--options', options, '--emit', 'none', '--logLevel', 'Warn'],
  {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  },
);
rmSync(dir, { recursive: true, force: true });
// eslint-disable-next-line no-control-regex -- strip ANSI colours
const lines = `${res.stdout}\n${res.stderr}`.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
const errors = lines.filter((l) => l.startsWith('[error]'));
if (errors.length) {
  console.error(errors.join('\n'));
  console.error('docs-check: TypeDoc failed');
  process.exit(1);
}

// "[warning] Foo.bar (Property), defined in @nde/core/src/x.ts, does not have any documentation"
const missing = new Map();
for (const l of lines) {
  const m = /^\[warning\] (.+?) \((\w+)\), defined in (@nde\/[a-z0-9-]+)\/(\S+), does not have any documentation/.exec(l);
  if (!m) continue;
  const [, name, kind, pkg, file] = m;
  // Fields of inline object types (`__type`) belong to the documented type around them.
  if (name.includes('__type')) continue;
  // Without --members only top-level exports count (TypeDoc also reports method signatures).
  if (!members && name.includes('.')) continue;
  // Parameters count for exported functions (`fn.param`); methods implement documented interfaces.
  if (kind === 'Parameter' && name.split('.').length !== 2) continue;
  if (!missing.has(pkg)) missing.set(pkg, []);
  missing.get(pkg).push(`${name} (${kind}) in ${pkg.replace('@nde/', 'packages/')}/${file}`);
}
const links = lines.filter((l) => l.includes('Failed to resolve link'));
// Anything else TypeDoc warns about (a referenced type left out of the docs, a README link it cannot copy)
// would show up in the built site too. Only meaningful for the whole site: a partial run cannot resolve
// links into the packages it leaves out.
const other = (only.length ? [] : lines).filter(
  (l) =>
    l.startsWith('[warning]') &&
    !l.includes('does not have any documentation') &&
    !l.includes('Failed to resolve link') &&
    !/Found \d+ errors/.test(l),
);

const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (links.length) {
  console.error(`${links.length} {@link} targets do not resolve (across packages write {@link @nde/core!Name}):`);
  for (const l of links) console.error(`  ${l.replace('[warning] ', '')}`);
}
if (other.length) {
  console.error(`${other.length} other TypeDoc warnings (export the referenced type, or fix the link):`);
  for (const l of other) console.error(`  ${l.replace('[warning] ', '')}`);
}
if (missing.size === 0 && links.length === 0 && other.length === 0) {
  console.log(
    `docs-check: every exported symbol${members ? ' and member' : ''} is documented (${only.length ? only.join(', ') : 'all packages'}; ${seconds}s)`,
  );
  process.exit(0);
}
let total = 0;
for (const [pkg, list] of [...missing].sort()) {
  const unique = [...new Set(list)];
  total += unique.length;
  console.error(`\n${pkg}: ${unique.length} undocumented`);
  for (const item of unique) console.error(`  - ${item}`);
}
if (links.length) console.error(`\ndocs-check: ${links.length} broken {@link} targets.`);
if (other.length) console.error(`\ndocs-check: ${other.length} other TypeDoc warnings.`);
if (total)
  console.error(
    `\ndocs-check: ${total} undocumented ${members ? 'symbols/members' : 'exported symbols'} (add a /** … */ comment to each).`,
  );
process.exit(1);
