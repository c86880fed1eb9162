#!/usr/bin/env node
// `pnpm example <name>` (from the repository root): run examples/<name>.mjs against the workspace sources
// (the `source` export condition + tsx), so nothing needs building. After `npm i @nde/...` outside this
// repository the same files run with plain `node <name>.mjs`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
  .map((f) => f.slice(0, -4))
  .sort();
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.log(`Usage: pnpm example <name>\n\nExamples: ${names.join(', ')}`);
  process.exit(name ? 2 : 0);
}
const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', join(here, `${name}.mjs`)], {
  stdio: 'inherit',
  cwd: here,
});
process.exit(r.status ?? 1);
