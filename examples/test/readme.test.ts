/**
 * Every example runs, and every TypeScript/JavaScript block in the READMEs (and docs/*.md) is either one of the examples
 * (verbatim) or is extracted and run here (issue #19).
 *
 * Markers on the line before a block:
 * - `<!-- example: NAME -->`: the block must equal `examples/NAME.mjs` (its leading comment lines aside);
 * - `<!-- continues -->`: the block runs after the previous block of the same README (one program);
 * - `<!-- needs: PATH -->`: the block needs a file (a data set) and is skipped, visibly, without it;
 * - `<!-- runs-in: browser -->` is not used: every block runs in Node.
 * Blocks run through tsx against the workspace sources, with loop counts capped at 3 and `iterations:` at 2
 * so CI stays short (set NDE_README_FULL=1 to run them as written).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const examples = join(here, '..');
const root = join(examples, '..');
const scratch = join(examples, '.readme-blocks');
const full = process.env.NDE_README_FULL === '1';

interface Block {
  readme: string;
  index: number;
  lang: string;
  code: string;
  marker: string | undefined;
  line: number;
}

function readmes(): string[] {
  const groups = ['packages', 'apps'].flatMap((g) =>
    readdirSync(join(root, g))
      .map((d) => join(root, g, d, 'README.md'))
      .filter(existsSync),
  );
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(root, 'docs', f));
  return [join(root, 'README.md'), join(examples, 'README.md'), ...docs, ...groups].filter(existsSync);
}

function blocksOf(file: string): Block[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)?\s*$/.exec(lines[i] as string);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j] as string)) j++;
    let k = i - 1;
    while (k >= 0 && (lines[k] as string).trim() === '') k--;
    const prev = k >= 0 ? (lines[k] as string).trim() : '';
    out.push({
      readme: file,
      index: out.length,
      lang: open[1] ?? '',
      code: lines.slice(i + 1, j).join('\n'),
      marker: /^<!--\s*(.*?)\s*-->$/.exec(prev)?.[1],
      line: i + 1,
    });
    i = j;
  }
  return out;
}

const isCode = (b: Block): boolean => ['ts', 'js', 'typescript', 'javascript'].includes(b.lang);
const exampleBody = (name: string): string =>
  readFileSync(join(examples, `${name}.mjs`), 'utf8')
    .split('\n')
    .filter((l, i, all) => !(l.startsWith('//') && all.slice(0, i).every((p) => p.startsWith('//'))))
    .join('\n')
    .trim();

function capped(code: string): string {
  if (full) return code;
  return code
    .replace(
      /(for \(let (\w+) = \d+; \2 <=? )([\w.]+)(;)/g,
      (_m, head: string, _v: string, bound: string, semi: string) => `${head}Math.min(${bound}, 3)${semi}`,
    )
    .replace(/iterations: (\d+)/g, 'iterations: Math.min($1, 2)');
}

function run(file: string, env: Record<string, string> = {}): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', file], {
    cwd: examples,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, ...env },
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-25).join('\n') };
}

describe('examples', () => {
  const names = readdirSync(examples)
    .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
    .map((f) => f.slice(0, -4));
  it('there are examples', () => expect(names.length).toBeGreaterThanOrEqual(6));
  for (const name of names) {
    it(`${name}.mjs runs as written`, () => {
      const r = run(join(examples, `${name}.mjs`), full ? {} : { NDE_EXAMPLE_STEPS: '40' });
      expect(r.status, r.output).toBe(0);
    });
  }
});

describe('README code blocks', () => {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  for (const file of readmes()) {
    const all = blocksOf(file).filter(isCode);
    const rel = relative(root, file);
    all.forEach((b, i) => {
      if (b.marker?.startsWith('continues')) return; // runs with the block it continues
      const chain = [b];
      for (let j = i + 1; j < all.length && all[j]!.marker?.startsWith('continues'); j++) chain.push(all[j]!);
      const title = `${rel}:${b.line} (${b.lang}${chain.length > 1 ? `, +${chain.length - 1} continuing` : ''})`;
      const example = /^example:\s*(\S+)$/.exec(b.marker ?? '')?.[1];
      if (example) {
        it(`${title} is examples/${example}.mjs verbatim`, () => {
          expect(b.code.trim()).toBe(exampleBody(example));
        });
        return;
      }
      const needs = /^needs:\s*(\S+)$/.exec(b.marker ?? '')?.[1];
      const missing = needs !== undefined && !existsSync(needs);
      if (missing) console.warn(`[skip] ${title}: needs ${needs} (not on this machine)`);
      it.skipIf(missing)(`${title} runs`, () => {
        const path = join(scratch, `${rel.replace(/[/.]/g, '_')}_${b.line}.ts`);
        writeFileSync(path, `${chain.map((c) => capped(c.code)).join('\n')}\nexport {};\n`);
        const r = run(path);
        expect(r.status, r.output).toBe(0);
      });
    });
  }
});
