/**
 * Reproduction: the dynamic generator learned by alternating back-propagation through time
 * (Xie et al. 2019) on synthetic dynamic textures (travelling sinusoidal waves, 32×32), learned from
 * incomplete sequences (missing frames are masked out during training; the inferred latents complete them).
 *
 * Two settings, each 3 sequences × 24 frames:
 * - `mixed`: three *different* textures (movingSinusoids seeds 0, 1, 2), frames 4, 9, 10, 11, 16, 20 missing
 *   (isolated frames and one block of 3). Linear interpolation is a strong baseline here: one missing frame of a
 *   slowly moving wave is nearly the mean of its neighbours, and the model must learn three dynamics from three clips.
 * - `periodic`: *one* texture (a 72-frame clip of movingSinusoids seed 0 cut into 3 sequences), 5 consecutive
 *   frames missing per sequence (frames 5–9, 14–18, 2–6). Over a 6-frame gap the waves move by ≈ 2–4 rad, so the
 *   interpolated frames are blurred mixtures, while a model of the (periodic) dynamics can roll the texture forward.
 * Model: state 16, noise 8, residual-MLP transition (hidden 64), top-down generator
 * Linear → 4×4×32 → pixel-shuffle ×3 (last emits the frame) → tanh; σ = 0.3. Truncated BPTT with chunks
 * (8 frames for `mixed`, 12 for `periodic` so that each gap lies inside one chunk), 5 persistent Langevin steps
 * (δ = 0.1) + 2 Adam steps (lr 3e-3) per epoch.
 * Recovery: the persistent latents (inferred from the observed frames only: the mask removes the missing frames
 * from log p(x | s, ξ)) are refined by 30 noiseless Langevin steps on the same masked posterior, then every frame
 * is decoded; the missing frames are scored against the truth (MSE per pixel, [−1, 1] scale).
 * Optional neural-ODE transition run (rk4, 2 steps) on `mixed` with DG_ODE_SECONDS > 0.
 * Budget: DG_MIXED_SECONDS (default 180 s), DG_PERIODIC_SECONDS (default 330 s; the committed run), DG_ODE_SECONDS (default 0), wasm.
 * Outputs in results/repro/dynamic-generator/: recon-mse.svg, synthesis.gif (periodic model, 72 frames = 3× the
 * training length, latents from the prior), recovery-<setting>.png (rows: missing frames of sequence 0;
 * columns: truth | ours | linear interpolation), recovery-periodic.gif (truth | ours | linear, all 24 frames),
 * training-sequence.gif, results.json.
 *
 *   cd apps/benchmarks && node --import tsx src/repro/dynamic-generator.ts
 */
import * as tf from '@tensorflow/tfjs';
import {
  ABPTTTrainer,
  DynamicGenerator,
  FrameGenerator,
  MLPTransition,
  ODETransition,
  interpolateMissingFrames,
  movingSinusoids,
  type Transition,
} from '@nde/latent-models';
import { gray, grid, lineChart, upscale, writeGif, writePng, writeText, type Rgba } from '@nde/plot';
import { meanStd, outDir, start, writeJson } from './common.js';
import { reportClaim } from './resumable.js';

const OUT = outDir('dynamic-generator');
const MIXED_SECONDS = Number(process.env.DG_MIXED_SECONDS ?? 180);
const PERIODIC_SECONDS = Number(process.env.DG_PERIODIC_SECONDS ?? 330);
const ODE_SECONDS = Number(process.env.DG_ODE_SECONDS ?? 0);
const N = 3;
const T = 24;
const S = 32;
const P = S * S;

const toGray = (v: ArrayLike<number>): Rgba =>
  gray(
    Array.from(v, (x) => (x + 1) / 2),
    S,
    S,
  );

interface Setting {
  name: string;
  seqs: Float32Array[];
  /** observed[n][t] */
  observed: boolean[][];
  chunk: number;
}

function mixedSetting(): Setting {
  const missing = [4, 9, 10, 11, 16, 20];
  return {
    name: 'mixed',
    seqs: Array.from({ length: N }, (_, i) => movingSinusoids(T, S, i).data),
    observed: Array.from({ length: N }, () => Array.from({ length: T }, (_, t) => !missing.includes(t))),
    chunk: 8,
  };
}

function periodicSetting(): Setting {
  const long = movingSinusoids(N * T, S, 0).data;
  const gaps = [5, 14, 2];
  return {
    name: 'periodic',
    seqs: Array.from({ length: N }, (_, n) => long.slice(n * T * P, (n + 1) * T * P)),
    observed: gaps.map((g) => Array.from({ length: T }, (_, t) => t < g || t >= g + 5)),
    chunk: 12,
  };
}

function tensors(s: Setting): { data: tf.Tensor; mask: tf.Tensor } {
  const flat = new Float32Array(N * T * P);
  s.seqs.forEach((d, i) => flat.set(d, i * T * P));
  return {
    data: tf.tensor(flat, [N, T, S, S, 1]),
    mask: tf.tensor(
      s.observed.flat().map((o) => (o ? 1 : 0)),
      [N, T, 1, 1, 1],
    ),
  };
}

function train(
  label: string,
  transition: Transition,
  data: tf.Tensor,
  mask: tf.Tensor,
  chunk: number,
  seconds: number,
): { model: DynamicGenerator; trainer: ABPTTTrainer; curve: number[]; seconds: number } {
  const model = new DynamicGenerator({
    generator: new FrameGenerator({ stateDim: 16, size: S, baseChannels: 32, outputConv: false, seed: 1 }),
    transition,
    sigma: 0.3,
  });
  const trainer = new ABPTTTrainer(model, data, {
    chunkLength: chunk,
    langevinSteps: 5,
    stepSize: 0.1,
    learnSteps: 2,
    learningRate: 3e-3,
    mask,
    seed: 1,
  });
  const curve: number[] = [];
  const t0 = performance.now();
  while ((performance.now() - t0) / 1000 < seconds) {
    curve.push(trainer.epoch().reconstructionMse);
    if (curve.length % 25 === 0)
      console.log(
        `${label} epoch ${curve.length} mse ${curve[curve.length - 1]!.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
  }
  return { model, trainer, curve, seconds: (performance.now() - t0) / 1000 };
}

type Run = ReturnType<typeof train>;

/** Missing-frame MSE of ours and of linear interpolation, split by gap: isolated frames vs frames inside a block. */
interface GapBreakdown {
  isolated: { ours: number; linear: number; pixels: number };
  block: { ours: number; linear: number; pixels: number };
}

/** Missing-frame MSE of the decoded latents (raw persistent chain and after a noiseless refinement) vs linear interpolation. */
async function recovery(
  run: Run,
  s: Setting,
): Promise<{
  persistent: number;
  refined: number;
  linear: number;
  hold: number;
  byGap: GapBreakdown;
  observedReconstruction: number;
  frames: Float32Array;
  linearFrames: Float32Array[];
}> {
  /** A missing frame is isolated when both neighbours are observed; otherwise it is inside a block. */
  const isolated = (n: number, t: number): boolean => !!s.observed[n]![t - 1] && !!s.observed[n]![t + 1];
  const score = (frames: Float32Array, n: number, which: 'all' | 'isolated' | 'block' | 'observed' = 'all'): number[] => {
    const out: number[] = [];
    for (let t = 0; t < T; t++) {
      const observed = !!s.observed[n]![t];
      if (which === 'observed' ? !observed : observed) continue;
      if (which === 'isolated' && !isolated(n, t)) continue;
      if (which === 'block' && isolated(n, t)) continue;
      for (let p = 0; p < P; p++) out.push((frames[t * P + p]! - s.seqs[n]![t * P + p]!) ** 2);
    }
    return out;
  };
  const mean = (xs: number[]): number => meanStd(xs).mean;
  const decodeAll = async (z: typeof run.trainer.latents): Promise<Float32Array> => {
    const rec = run.model.decode(z);
    const v = (await rec.data()) as Float32Array;
    rec.dispose();
    return v;
  };
  const raw = await decodeAll(run.trainer.latents);
  const refinedZ = run.model.infer(run.trainer.chunks, run.trainer.latents, {
    steps: 30,
    stepSize: 0.1,
    noiseless: true,
    ...(run.trainer.mask ? { mask: run.trainer.mask } : {}),
  });
  const refined = await decodeAll(refinedZ);
  tf.dispose([refinedZ.s0, refinedZ.xi]);
  const e = { persistent: [] as number[], refined: [] as number[], linear: [] as number[], hold: [] as number[] };
  const gaps = { isolatedOurs: [] as number[], isolatedLinear: [] as number[], blockOurs: [] as number[], blockLinear: [] as number[] };
  const observedRecon: number[] = [];
  const linearFrames: Float32Array[] = [];
  for (let n = 0; n < N; n++) {
    const lin = interpolateMissingFrames(s.seqs[n]!, T, s.observed[n]!);
    linearFrames.push(lin);
    // "hold": repeat the last observed frame (a second trivial baseline).
    const hold = new Float32Array(s.seqs[n]!);
    for (let t = 1; t < T; t++) if (!s.observed[n]![t]) hold.set(hold.subarray((t - 1) * P, t * P), t * P);
    e.persistent.push(...score(raw.subarray(n * T * P, (n + 1) * T * P), n));
    e.refined.push(...score(refined.subarray(n * T * P, (n + 1) * T * P), n));
    e.linear.push(...score(lin, n));
    e.hold.push(...score(hold, n));
    const ours = refined.subarray(n * T * P, (n + 1) * T * P);
    gaps.isolatedOurs.push(...score(ours, n, 'isolated'));
    gaps.isolatedLinear.push(...score(lin, n, 'isolated'));
    gaps.blockOurs.push(...score(ours, n, 'block'));
    gaps.blockLinear.push(...score(lin, n, 'block'));
    observedRecon.push(...score(ours, n, 'observed'));
  }
  const orNaN = (xs: number[]): number => (xs.length ? mean(xs) : NaN);
  return {
    persistent: mean(e.persistent),
    refined: mean(e.refined),
    linear: mean(e.linear),
    hold: mean(e.hold),
    byGap: {
      isolated: { ours: orNaN(gaps.isolatedOurs), linear: orNaN(gaps.isolatedLinear), pixels: gaps.isolatedOurs.length },
      block: { ours: orNaN(gaps.blockOurs), linear: orNaN(gaps.blockLinear), pixels: gaps.blockOurs.length },
    },
    observedReconstruction: mean(observedRecon),
    frames: refined,
    linearFrames,
  };
}

await start('dynamic-generator', { mixedSeconds: MIXED_SECONDS, periodicSeconds: PERIODIC_SECONDS, odeSeconds: ODE_SECONDS });
const settings = [mixedSetting(), periodicSetting()];
const budgets = [MIXED_SECONDS, PERIODIC_SECONDS];
const results: Record<string, unknown> = {};
const curves: Record<string, number[]> = {};
let periodicRun: Run | undefined;
for (const [i, s] of settings.entries()) {
  const { data, mask } = tensors(s);
  const run = train(s.name, new MLPTransition({ stateDim: 16, noiseDim: 8, hidden: [64], seed: 2 }), data, mask, s.chunk, budgets[i]!);
  const rec = await recovery(run, s);
  curves[s.name] = run.curve;
  const missing = s.observed.map((o) => o.flatMap((v, t) => (v ? [] : [t])));
  results[s.name] = {
    sequences: `${N}×${T} frames ${S}×${S}`,
    missingFrames: missing,
    chunkLength: s.chunk,
    trainSeconds: +run.seconds.toFixed(1),
    epochs: run.curve.length,
    reconMseFirst: run.curve[0],
    reconMseLast: run.curve[run.curve.length - 1],
    missingFrameMse: rec.refined,
    missingFrameMsePersistentChain: rec.persistent,
    linearInterpolationMse: rec.linear,
    holdLastFrameMse: rec.hold,
    beatsLinearInterpolation: rec.refined < rec.linear,
    // Why linear interpolation can win: an isolated frame's linear error is second order in the motion
    // between its neighbours, below the model's own reconstruction floor on observed frames.
    byGap: rec.byGap,
    observedFrameReconstructionMse: rec.observedReconstruction,
  };
  console.log(JSON.stringify({ [s.name]: results[s.name] }));
  const rows: Rgba[] = [];
  for (const t of missing[0]!) {
    rows.push(
      toGray(s.seqs[0]!.subarray(t * P, (t + 1) * P)),
      toGray(rec.frames.subarray(t * P, (t + 1) * P)),
      toGray(rec.linearFrames[0]!.subarray(t * P, (t + 1) * P)),
    );
  }
  writePng(`${OUT}recovery-${s.name}.png`, upscale(grid(rows, 3, 2), 3));
  if (s.name === 'periodic') {
    writeGif(
      `${OUT}recovery-periodic.gif`,
      Array.from({ length: T }, (_, t) =>
        upscale(
          grid(
            [
              toGray(s.seqs[0]!.subarray(t * P, (t + 1) * P)),
              toGray(rec.frames.subarray(t * P, (t + 1) * P)),
              toGray(rec.linearFrames[0]!.subarray(t * P, (t + 1) * P)),
            ],
            3,
            2,
          ),
          3,
        ),
      ),
      150,
    );
    const trainFrames: Rgba[] = [];
    for (let t = 0; t < T; t++) trainFrames.push(upscale(toGray(s.seqs[0]!.subarray(t * P, (t + 1) * P)), 4));
    writeGif(`${OUT}training-sequence.gif`, trainFrames, 80);
    periodicRun = run;
  } else {
    run.trainer.dispose();
    run.model.dispose();
  }
  tf.dispose([data, mask]);
}
if (ODE_SECONDS > 0) {
  const s = settings[0]!;
  const { data, mask } = tensors(s);
  const run = train(
    'ode',
    new ODETransition({ stateDim: 16, noiseDim: 8, hidden: [64], steps: 2, seed: 2 }),
    data,
    mask,
    s.chunk,
    ODE_SECONDS,
  );
  const rec = await recovery(run, s);
  curves.ode = run.curve;
  results.odeMixed = {
    trainSeconds: +run.seconds.toFixed(1),
    epochs: run.curve.length,
    reconMseFirst: run.curve[0],
    reconMseLast: run.curve[run.curve.length - 1],
    missingFrameMse: rec.refined,
    linearInterpolationMse: rec.linear,
  };
  run.trainer.dispose();
  run.model.dispose();
  tf.dispose([data, mask]);
}

writeText(
  `${OUT}recon-mse.svg`,
  await lineChart(
    Object.entries(curves).map(([name, c]) => ({ name, x: c.map((_, i) => i + 1), y: c })),
    { title: 'ABPTT: reconstruction MSE (observed frames) per epoch', xLabel: 'epoch', yLabel: 'MSE per pixel', logY: true },
  ),
);
if (periodicRun) {
  const synth = periodicRun.model.synthesize(1, 3 * T, 11);
  const sv = await synth.data();
  synth.dispose();
  writeGif(
    `${OUT}synthesis.gif`,
    Array.from({ length: 3 * T }, (_, t) => upscale(toGray(sv.subarray(t * P, (t + 1) * P)), 4)),
    80,
  );
  periodicRun.trainer.dispose();
  periodicRun.model.dispose();
}
type SettingResult = { missingFrameMse: number; linearInterpolationMse: number; byGap: GapBreakdown };
const mixed = results.mixed as SettingResult;
const periodic = results.periodic as SettingResult;
const claim = reportClaim({
  statement:
    'Alternating back-propagation through time recovers missing frames better than linear interpolation between the nearest observed frames (Xie et al., dynamic generator), in both settings',
  holds: mixed.missingFrameMse < mixed.linearInterpolationMse && periodic.missingFrameMse < periodic.linearInterpolationMse,
  metric: 'missing-frame MSE per pixel ([−1, 1] scale), 3 sequences × 24 frames',
  ours: periodic.missingFrameMse,
  baseline: {
    periodicLinear: periodic.linearInterpolationMse,
    mixedOurs: mixed.missingFrameMse,
    mixedLinear: mixed.linearInterpolationMse,
  },
  seeds: [2],
  budget: { mixedSeconds: MIXED_SECONDS, periodicSeconds: PERIODIC_SECONDS },
});
const result = {
  claim,
  backend: 'wasm',
  model:
    'state 16, noise 8, residual-MLP transition (hidden 64), FrameGenerator 4×4×32 → 32×32, σ = 0.3; 5 Langevin (δ 0.1) + 2 Adam (lr 3e-3) per epoch',
  budgetSeconds: { mixed: MIXED_SECONDS, periodic: PERIODIC_SECONDS, ode: ODE_SECONDS },
  ...results,
  curves,
  note: 'MSE per pixel on the [-1, 1] scale over the missing frames only. missingFrameMse: persistent latents + 30 noiseless Langevin steps on the masked posterior, decoded; missingFrameMsePersistentChain: the persistent chain as is. Baselines: linear interpolation between the nearest observed frames; hold = repeat the last observed frame. Synthesis: s0, ξ from the prior, 72 frames (3× the training length), periodic-setting model.',
};
writeJson(`${OUT}results.json`, result);
console.log(JSON.stringify({ ...result, curves: undefined }, null, 2));
