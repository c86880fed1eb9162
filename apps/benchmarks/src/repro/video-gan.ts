/**
 * Reproduction: "Latent Neural Differential Equations for Video Generation" (Gordon & Parde) at laptop
 * scale. TGAN-style WGAN (singular value clipping, RMSprop) on Moving Fashion-MNIST 32×32×16 (1–2 items),
 * with three interchangeable temporal generators at the paper's sizes (latent 100):
 *   ode    — tanh(Linear(100,100)) vector field, RK4 on linspace(0, 1, 16)          (10,100 params)
 *   sde    — drift & diffusion tanh(Linear(100,100)), Euler–Maruyama, dt = 0.025     (20,200 params)
 *   conv1d — TGAN's 1-D transposed-convolution stack 100→512→256→128→128→100         (826,468 params)
 * Same image generator, critic, data and budget for every variant; ≥ 2 seeds each. Scores with the shipped
 * Fashion-MNIST classifier (@nde/metrics): IS analogue, Fréchet frame distance, Fréchet video distance
 * (frame features averaged over time).
 * Budget (env): VG_ITERS (default 450) iterations, VG_BATCH (8) videos per batch, VG_SEEDS (2), VG_LR (1e-3),
 * VG_NCRITIC (1), VG_ITEMS (1 bouncing item), VG_ITEM_SIZE (20 px), VG_EVAL_EVERY (150; scores of 64 videos during training, 0: none),
 * VG_VARIANTS / VG_SEED_LIST (subset to run), VG_TAG (output subfolder, for pilots); wasm backend.
 * Every run is written to runs/<variant>-seed<k>.json as soon as it ends and skipped when that file exists with the
 * same config (so the sweep can be run one process per run and resumed); the table aggregates every run file.
 * Scoring: the classifier was trained on centred 28×28 items; a 20 px item somewhere in a 32×32 frame gives it
 * a low real-data IS. Frames (real and generated alike) are therefore cropped to an item-sized box around their
 * intensity centroid and resized to 28×28 before the classifier (`centroidCropFrames` of @nde/video-gan).
 * Outputs in results/repro/video-gan/: results.json, results.md, runs/*.json, samples-<variant>-seed0-it<k>.gif,
 * extrapolate-ode.gif (32 frames on [0, 2], trained on 16 on [0, 1]), nonuniform-ode.gif, real.gif.
 *
 *   cd apps/benchmarks && node --import tsx src/repro/video-gan.ts
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { progressBar, writeGif } from '@nde/plot';
import {
  Conv1dTemporalGenerator,
  ImageGenerator,
  OdeTemporalGenerator,
  SdeTemporalGenerator,
  VideoDiscriminator,
  VideoGenerator,
  WganTrainer,
  centroidCropFrames,
  evaluateVideos,
  linspace,
  loadMovingFashion,
  parameterCount,
  trainWgan,
  videoGridFrames,
  type TemporalGenerator,
} from '@nde/video-gan';
import { fashionClassifier } from '@nde/metrics';
import { meanStd, outDir, start, writeJson } from './common.js';

const env = process.env;
const ITERS = Number(env.VG_ITERS ?? 450);
const BATCH = Number(env.VG_BATCH ?? 8);
const SEEDS = Number(env.VG_SEEDS ?? 2);
const LR = Number(env.VG_LR ?? 1e-3);
const N_CRITIC = Number(env.VG_NCRITIC ?? 1);
const ITEMS = Number(env.VG_ITEMS ?? 1);
const ITEM_SIZE = Number(env.VG_ITEM_SIZE ?? 20);
const EVAL_EVERY = Number(env.VG_EVAL_EVERY ?? 150);
const BASE = Number(env.VG_BASE ?? 32);
const D_WIDTHS = (env.VG_DWIDTHS ?? '8,16,32').split(',').map(Number);
const SIZE = 32;
const FRAMES = 16;
const EVAL_VIDEOS = 160;
const VARIANTS = ['ode', 'sde', 'conv1d'] as const;
type Variant = (typeof VARIANTS)[number];
const RUN_VARIANTS = (env.VG_VARIANTS ? env.VG_VARIANTS.split(',') : VARIANTS) as Variant[];
const RUN_SEEDS = env.VG_SEED_LIST ? env.VG_SEED_LIST.split(',').map(Number) : Array.from({ length: SEEDS }, (_, i) => i);
const config = {
  iterations: ITERS,
  batch: BATCH,
  lr: LR,
  nCritic: N_CRITIC,
  items: ITEMS,
  itemSize: ITEM_SIZE,
  base: BASE,
  dWidths: D_WIDTHS.join(','),
};

const out = outDir(env.VG_TAG ? `video-gan/${env.VG_TAG}` : 'video-gan');
const runDir = `${out}runs/`;
mkdirSync(runDir, { recursive: true });
const backend = await start('video-gan', {
  ...config,
  svcEvery: 5,
  evalVideos: EVAL_VIDEOS,
  variants: RUN_VARIANTS.join(','),
  seeds: RUN_SEEDS.join(','),
});
const t00 = performance.now();
const data = await loadMovingFashion({ split: 'train', size: SIZE, frames: FRAMES, items: ITEMS, itemSize: ITEM_SIZE, seed: 0 });
const evalData = await loadMovingFashion({ split: 'test', size: SIZE, frames: FRAMES, items: ITEMS, itemSize: ITEM_SIZE, seed: 99 });
const classifier = await fashionClassifier();
const realEval = evalData.batch(EVAL_VIDEOS);
const gif = (name: string, videos: tf.Tensor5D, cols = 4): void =>
  writeGif(`${out}${name}`, videoGridFrames(videos, { cols, scale: 2 }), 120);
{
  const r = realEval.slice(0, 16);
  gif('real.gif', r as tf.Tensor5D);
  r.dispose();
}

const prepare = centroidCropFrames(ITEM_SIZE);
const score = (real: tf.Tensor5D, fake: tf.Tensor5D) => evaluateVideos(real, fake, { model: classifier, prepare });

const temporal = (v: Variant, seed: number): TemporalGenerator =>
  v === 'ode'
    ? new OdeTemporalGenerator({ dim: 100, numFrames: FRAMES, method: 'rk4', seed })
    : v === 'sde'
      ? new SdeTemporalGenerator({ dim: 100, numFrames: FRAMES, method: 'euler', dt: 0.025, seed })
      : new Conv1dTemporalGenerator({ latentDim: 100, frameLatentDim: 100, numFrames: FRAMES, channels: [512, 256, 128, 128], seed });

interface Run {
  variant: Variant;
  seed: number;
  config: typeof config;
  temporalParams: number;
  imageParams: number;
  criticParams: number;
  secondsPerIter: number;
  wallSeconds: number;
  is: number;
  isReal: number;
  fd: number;
  fvd: number | null;
  finalDLoss: number;
  finalGLoss: number;
  /** Scores on 64 videos during training (VG_EVAL_EVERY). */
  curve: { iteration: number; is: number; fd: number }[];
}
const sameConfig = (r: Run) => JSON.stringify(r.config) === JSON.stringify(config);
for (const seed of RUN_SEEDS) {
  for (const variant of RUN_VARIANTS) {
    const file = `${runDir}${variant}-seed${seed}.json`;
    if (existsSync(file) && sameConfig(JSON.parse(readFileSync(file, 'utf8')) as Run)) {
      console.log(`skip ${variant} seed ${seed}: ${file} exists`);
      continue;
    }
    const tRun = performance.now();
    const g = new VideoGenerator({
      temporal: temporal(variant, seed),
      image: new ImageGenerator({ contentDim: 100, frameLatentDim: 100, size: SIZE, baseChannels: BASE, seed }),
      seed,
    });
    const d = new VideoDiscriminator({ size: SIZE, numFrames: FRAMES, widths: D_WIDTHS, seed });
    const trainer = new WganTrainer({
      generator: g,
      discriminator: d,
      clipping: { kind: 'svc', every: 5 },
      learningRate: LR,
      nCritic: N_CRITIC,
      batchSize: BATCH,
    });
    const curve: Run['curve'] = [];
    const realSmall = realEval.slice(0, 64) as tf.Tensor5D;
    const bar = progressBar(`${variant} seed ${seed}`, ITERS);
    const hist = await trainWgan(trainer, {
      iterations: ITERS,
      data: () => data.batch(BATCH),
      sampleEvery: Math.max(1, Math.floor(ITERS / (EVAL_EVERY ? ITERS / EVAL_EVERY : 3))),
      onSample: async (it, v) => {
        if (seed === 0 && (it % Math.max(1, Math.floor(ITERS / 3)) === 0 || it === ITERS)) gif(`samples-${variant}-seed0-it${it}.gif`, v);
        if (EVAL_EVERY && it % EVAL_EVERY === 0) {
          const fake = g.sample(64);
          const s = await score(realSmall, fake);
          fake.dispose();
          curve.push({ iteration: it, is: s.inceptionScore, fd: s.frechetFrameDistance });
          console.log(
            `  ${variant} seed ${seed} it ${it}: IS ${s.inceptionScore.toFixed(3)} (real ${s.realInceptionScore.toFixed(3)}) FD ${s.frechetFrameDistance.toFixed(1)}`,
          );
        }
      },
      onProgress: (p) =>
        bar.update(p.iteration, { dLoss: p.dLoss.toFixed(4), gLoss: p.gLoss.toFixed(4), 's/iter': p.meanSeconds.toFixed(2) }),
    });
    bar.stop();
    realSmall.dispose();
    const fake = g.sample(EVAL_VIDEOS);
    const s = await score(realEval, fake);
    fake.dispose();
    if (seed === 0 && variant !== 'conv1d') {
      const z = g.sampleLatent(8);
      const long = g.apply(z, { ts: linspace(0, 2, 32), key: 7 });
      gif(`extrapolate-${variant}.gif`, long);
      const odd = g.apply(z, { ts: [0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0], key: 7 });
      gif(`nonuniform-${variant}.gif`, odd);
      tf.dispose([z, long, odd]);
    }
    const run: Run = {
      variant,
      seed,
      config,
      temporalParams: parameterCount(g.temporal),
      imageParams: parameterCount(g.image),
      criticParams: parameterCount(d),
      secondsPerIter: hist.secondsPerIteration,
      wallSeconds: (performance.now() - tRun) / 1000,
      is: s.inceptionScore,
      isReal: s.realInceptionScore,
      fd: s.frechetFrameDistance,
      fvd: s.frechetVideoDistance,
      finalDLoss: hist.dLoss[hist.dLoss.length - 1]!,
      finalGLoss: hist.gLoss[hist.gLoss.length - 1]!,
      curve,
    };
    writeJson(file, run);
    console.log(JSON.stringify({ ...run, curve: undefined }));
    trainer.dispose();
    g.dispose();
    d.dispose();
  }
}

const runs = readdirSync(runDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(`${runDir}${f}`, 'utf8')) as Run)
  .filter(sameConfig)
  .sort((a, b) => a.seed - b.seed || VARIANTS.indexOf(a.variant) - VARIANTS.indexOf(b.variant));
const present = VARIANTS.filter((v) => runs.some((r) => r.variant === v));
const table = present.map((variant) => {
  const rs = runs.filter((r) => r.variant === variant);
  const m = (f: (r: Run) => number) => meanStd(rs.map(f));
  return {
    variant,
    seeds: rs.map((r) => r.seed),
    temporalParams: rs[0]!.temporalParams,
    secondsPerIter: m((r) => r.secondsPerIter),
    wallMinutes: m((r) => r.wallSeconds / 60),
    is: m((r) => r.is),
    fd: m((r) => r.fd),
    fvd: m((r) => r.fvd ?? Number.NaN),
  };
});
const row = (v: Variant) => table.find((t) => t.variant === v);
const ode = row('ode');
const conv = row('conv1d');
const ordering =
  ode && conv
    ? {
        odeIsAtLeastConv: ode.is.mean >= conv.is.mean,
        odeFdAtMostConv: ode.fd.mean <= conv.fd.mean,
        odeFvdAtMostConv: ode.fvd.mean <= conv.fvd.mean,
        parameterRatioConvOverOde: conv.temporalParams / ode.temporalParams,
      }
    : null;
const realIs = meanStd(runs.map((r) => r.isReal)).mean;
const f = (x: { mean: number; std: number }, d = 3) => `${x.mean.toFixed(d)} ± ${x.std.toFixed(d)}`;
const holds = (b: boolean) => (b ? 'holds' : 'does not hold');
const md = [
  `# Video GAN with neural ODE/SDE temporal generators — Moving Fashion-MNIST ${SIZE}×${SIZE}×${FRAMES}`,
  ``,
  `Budget per run: ${ITERS} iterations × batch ${BATCH} (WGAN + SVC every 5, RMSprop lr ${LR}, ${N_CRITIC} critic step(s) per iteration), ${ITEMS} bouncing item of ${ITEM_SIZE} px, backend ${backend} on 2 CPU cores shared with other jobs. Seeds per variant: ${table.map((t) => `${t.variant} ${t.seeds.length}`).join(', ')}.`,
  `Image generator ${runs[0]?.imageParams} params (base ${BASE} channels), (2+1)-D critic ${runs[0]?.criticParams} params (widths ${D_WIDTHS.join(', ')}). Scores on ${EVAL_VIDEOS} generated vs ${EVAL_VIDEOS} held-out real videos (test split) with the shipped Fashion-MNIST classifier on centroid crops (see the script); real-data IS analogue: ${realIs.toFixed(3)}, uniform noise ≈ 1.09.`,
  ``,
  `| temporal generator | params | s/iter | wall min/run | IS analogue ↑ | Fréchet frame distance ↓ | Fréchet video distance ↓ |`,
  `| --- | ---: | ---: | ---: | ---: | ---: | ---: |`,
  ...table.map(
    (t) =>
      `| ${t.variant} | ${t.temporalParams.toLocaleString('en-US')} | ${f(t.secondsPerIter, 2)} | ${f(t.wallMinutes, 1)} | ${f(t.is)} | ${f(t.fd, 1)} | ${f(t.fvd, 1)} |`,
  ),
  ``,
  `Per run: ${runs.map((r) => `${r.variant}/${r.seed}: IS ${r.is.toFixed(3)}, FD ${r.fd.toFixed(1)}, FVD ${(r.fvd ?? Number.NaN).toFixed(1)}`).join('; ')}.`,
  ``,
  ordering
    ? `Paper's ordering (ODE ≥ conv baseline at ${ordering.parameterRatioConvOverOde.toFixed(0)}× fewer temporal parameters), on the means: IS ${holds(ordering.odeIsAtLeastConv)}, FD ${holds(ordering.odeFdAtMostConv)}, FVD ${holds(ordering.odeFvdAtMostConv)} (compare the gaps with the ± seed spread).`
    : `Paper's ordering: not evaluated (ODE or conv1d runs missing).`,
  ``,
].join('\n');
writeJson(`${out}results.json`, {
  paper: { dataset: 'UCF-101 64x64', inceptionScore: 15.2, temporalParamsOde: 10100, temporalParamsTganConv1d: 826468 },
  budget: {
    ...config,
    svcEvery: 5,
    backend,
    size: SIZE,
    frames: FRAMES,
    evalVideos: EVAL_VIDEOS,
    evaluation: `centroid crop ${ITEM_SIZE} px → 28×28`,
  },
  realInceptionScore: realIs,
  table,
  ordering,
  runs,
});
writeFileSync(`${out}results.md`, md);
console.log(md);
console.log(`total ${((performance.now() - t00) / 60000).toFixed(1)} min`);
realEval.dispose();
classifier.dispose();
