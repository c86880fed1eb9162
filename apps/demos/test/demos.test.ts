/**
 * Every CLI demo runs (quick mode) and writes non-trivial pictures and finite, improving numbers.
 * Outputs go to test/output/<demo> (gitignored).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMOS, DEFAULT_DEMO } from '../src/demos/index.js';

const appRoot = fileURLToPath(new URL('..', import.meta.url));
const outRoot = join(appRoot, 'test/output');

/** Every number in a JSON value, with its path. */
function numbers(x: unknown, path = '$'): { path: string; value: unknown }[] {
  if (x === null) return [{ path, value: null }];
  if (typeof x === 'number') return [{ path, value: x }];
  if (Array.isArray(x)) return x.flatMap((v, i) => numbers(v, `${path}[${i}]`));
  if (typeof x === 'object') return Object.entries(x as object).flatMap(([k, v]) => numbers(v, `${path}.${k}`));
  return [];
}

function checkFiles(files: string[]): void {
  for (const f of files) {
    expect(existsSync(f), f).toBe(true);
    const bytes = readFileSync(f);
    const name = basename(f);
    if (name.endsWith('.png')) expect([...bytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), name).toBe('PNG');
    if (name.endsWith('.gif')) expect(bytes.subarray(0, 6).toString('latin1'), name).toBe('GIF89a');
    if (name.endsWith('.svg')) {
      expect(bytes.toString('utf8'), name).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
      expect((bytes.toString('utf8').match(/<path/g) ?? []).length, `${name} draws marks`).toBeGreaterThan(5);
    }
    expect(statSync(f).size, `${name} is not trivial`).toBeGreaterThan(name.endsWith('.json') ? 200 : 2000);
  }
}

function readJson(files: string[]): Record<string, unknown> {
  const f = files.find((p) => p.endsWith('results.json'));
  expect(f, 'results.json written').toBeDefined();
  const json = JSON.parse(readFileSync(f!, 'utf8')) as Record<string, unknown>;
  const bad = numbers(json).filter((n) => !(typeof n.value === 'number' && Number.isFinite(n.value)));
  expect(bad, 'every number in results.json is finite').toEqual([]);
  return json;
}

describe('demos (NDE_DEMO_QUICK)', () => {
  it('lists the demos, spirals first (the default)', () => {
    expect(DEFAULT_DEMO).toBe('spirals');
    expect(Object.keys(DEMOS)).toEqual(expect.arrayContaining(['spirals', 'ode', 'cnf', 'latent-sde']));
  });

  it('spirals: loss falls, files written', async () => {
    const out = join(outRoot, 'spirals');
    rmSync(out, { recursive: true, force: true });
    const r = await DEMOS.spirals!.run({ out, quick: true, log: false });
    checkFiles(r.files);
    expect(r.files.map((f) => basename(f)).sort()).toEqual([
      'loss.svg',
      'phase-portrait.png',
      'phase-portrait.svg',
      'results.json',
      'training.gif',
      'true-vector-field.svg',
    ]);
    const json = readJson(r.files) as {
      initialTrajectoryLoss: number;
      finalTrajectoryLoss: number;
      history: { loss: number }[];
      nfe: { total: number };
    };
    expect(json.finalTrajectoryLoss).toBeLessThan(0.5 * json.initialTrajectoryLoss);
    const h = json.history.map((x) => x.loss);
    const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(h.slice(-10))).toBeLessThan(0.7 * mean(h.slice(0, 10)));
    expect(json.nfe.total).toBeGreaterThan(0);
  });

  it('ode: phase portrait, step sizes and work–precision', async () => {
    const out = join(outRoot, 'ode');
    rmSync(out, { recursive: true, force: true });
    const r = await DEMOS.ode!.run({ out, quick: true, log: false });
    checkFiles(r.files);
    const json = readJson(r.files) as { workPrecision: { method: string; rtol: number; error: number; nfe: number }[] };
    for (const m of new Set(json.workPrecision.map((w) => w.method))) {
      const rows = json.workPrecision.filter((w) => w.method === m).sort((a, b) => b.rtol - a.rtol);
      // Tighter tolerance: more work, smaller error.
      expect(rows.at(-1)!.nfe).toBeGreaterThan(rows[0]!.nfe);
      expect(rows.at(-1)!.error).toBeLessThan(rows[0]!.error);
    }
  });

  it('cnf: test NLL falls, density maps and samples written', async () => {
    const out = join(outRoot, 'cnf');
    rmSync(out, { recursive: true, force: true });
    const r = await DEMOS.cnf!.run({ out, quick: true, log: false });
    checkFiles(r.files);
    const json = readJson(r.files) as { initialTestNll: number; finalTestNll: number; trueDensityNll: number };
    expect(json.finalTestNll).toBeLessThan(json.initialTestNll - 0.3);
    expect(json.finalTestNll).toBeGreaterThan(json.trueDensityNll - 0.5);
  });

  it('sde-bnn: loss falls, predictive bands widen away from the data', async () => {
    const out = join(outRoot, 'sde-bnn');
    rmSync(out, { recursive: true, force: true });
    const r = await DEMOS['sde-bnn']!.run({ out, quick: true, log: false });
    checkFiles(r.files);
    const json = readJson(r.files) as { initialLoss: number; finalLoss: number; stdNearData: number; stdAwayFromData: number };
    expect(json.finalLoss).toBeLessThan(json.initialLoss);
    expect(json.stdAwayFromData).toBeGreaterThan(json.stdNearData);
  });

  const hasFashion = existsSync('/usr/share/datasets/fashion-mnist');
  if (!hasFashion) console.warn('[skip] video-gan demo: needs apt-get install dataset-fashion-mnist');
  it.skipIf(!hasFashion)('video-gan: sample GIF grids, 32-frame extrapolation, finite scores', async () => {
    const out = join(outRoot, 'video-gan');
    rmSync(out, { recursive: true, force: true });
    const r = await DEMOS['video-gan']!.run({ out, quick: true, log: false });
    checkFiles(r.files);
    expect(r.files.filter((f) => f.endsWith('.gif')).length).toBeGreaterThanOrEqual(3);
    const json = readJson(r.files) as { inceptionScore: number; frechetFrameDistance: number };
    expect(json.inceptionScore).toBeGreaterThan(1);
    expect(json.frechetFrameDistance).toBeGreaterThan(0);
  });

  it('latent-sde: the same seed gives the same numbers (reproducible on a backend)', async () => {
    const a = await DEMOS['latent-sde']!.run({ out: join(outRoot, 'latent-sde-a'), quick: true, log: false });
    const b = await DEMOS['latent-sde']!.run({ out: join(outRoot, 'latent-sde-b'), quick: true, log: false });
    // Everything but wall-clock timings.
    const untimed = (x: unknown): unknown =>
      Array.isArray(x)
        ? x.map(untimed)
        : x && typeof x === 'object'
          ? Object.fromEntries(
              Object.entries(x)
                .filter(([k]) => !/^(ms|seconds|msPerIteration|trainMs)$/i.test(k))
                .map(([k, v]) => [k, untimed(v)]),
            )
          : x;
    expect(untimed(readJson(b.files))).toEqual(untimed(readJson(a.files)));
  });

  it('latent-sde: ELBO rises, samples and fits written', async () => {
    const out = join(outRoot, 'latent-sde');
    rmSync(out, { recursive: true, force: true });
    const r = await DEMOS['latent-sde']!.run({ out, quick: true, log: false });
    checkFiles(r.files);
    const json = readJson(r.files) as { initialElbo: number; finalElbo: number };
    expect(json.finalElbo).toBeGreaterThan(json.initialElbo);
  });

  it('`pnpm demo --list` works from the CLI (plain Node, as a user runs it)', () => {
    const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/cli.ts', '--list'], {
      cwd: appRoot,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('spirals');
  });
});
