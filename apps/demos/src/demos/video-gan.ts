/**
 * `pnpm demo video-gan`: a video GAN whose temporal generator is a neural ODE (@nde/video-gan, seed paper
 * 000) trained as a WGAN on Moving Fashion-MNIST (one item, 32×32, 16 frames; Debian's dataset-fashion-mnist).
 * Writes the samples of a fixed latent as a GIF grid at the start and the end of training, a GIF of 32 frames
 * on [0, 2] (twice the trained time span: the ODE extrapolates), the losses, and the IS analogue and frame
 * Fréchet distance of the samples.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describeBackend, useBackend } from '@nde/core';
import {
  ImageGenerator,
  OdeTemporalGenerator,
  VideoDiscriminator,
  VideoGenerator,
  WganTrainer,
  evaluateVideos,
  linspace,
  loadMovingFashion,
  parameterCount,
  trainWgan,
  videoGridFrames,
} from '@nde/video-gan';
import { lineChart, progressBar, writeGif, writeText } from '@nde/plot';
import { isQuick, logger, outDir, round, writeJson, type DemoOptions, type DemoResult } from '../lib/output.js';

/** Where Debian's dataset-fashion-mnist puts the files the loader reads. */
export const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

export async function run(o: DemoOptions = {}): Promise<DemoResult> {
  if (!existsSync(FASHION_MNIST)) {
    throw new Error(`the video-GAN demo needs Fashion-MNIST at ${FASHION_MNIST}: apt-get install dataset-fashion-mnist (Debian/Ubuntu).`);
  }
  const quick = o.quick ?? isQuick();
  const log = logger(o);
  const out = outDir('video-gan', o);
  await useBackend(o.backend ?? 'wasm');
  log(`backend: ${describeBackend()}`);
  const iterations = quick ? 3 : 400;
  const batchSize = 8;
  const data = await loadMovingFashion({ size: 32, frames: 16, items: 1, seed: 0 });
  const temporal = new OdeTemporalGenerator({ dim: 100, numFrames: 16, method: 'rk4', seed: 0 });
  const image = new ImageGenerator({ contentDim: 100, frameLatentDim: 100, size: 32, baseChannels: 32, seed: 0 });
  const generator = new VideoGenerator({ temporal, image, seed: 0 });
  const discriminator = new VideoDiscriminator({ size: 32, numFrames: 16, widths: [8, 16, 32], seed: 0 });
  const trainer = new WganTrainer({ generator, discriminator, clipping: { kind: 'svc', every: 5 }, learningRate: 1e-3, batchSize });
  log(
    `data: Moving Fashion-MNIST, 1 item, 32×32×16; generator: neural-ODE temporal generator (${parameterCount(temporal)} parameters, rk4) + image generator; WGAN with spectral clipping; ${iterations} iterations of batch ${batchSize}`,
  );
  const files: string[] = [];
  const file = (name: string): string => {
    const p = join(out, name);
    files.push(p);
    return p;
  };
  const grids: { iteration: number; file: string }[] = [];
  const bar = progressBar('video-gan', iterations);
  const history = await trainWgan(trainer, {
    iterations,
    data: () => data.batch(batchSize),
    sampleEvery: Math.max(1, Math.floor(iterations / 2)),
    sampleCount: 8,
    onSample: (it, videos) => {
      const name = `samples-${String(it).padStart(4, '0')}.gif`;
      writeGif(file(name), videoGridFrames(videos, { cols: 4, scale: 2 }), 120);
      grids.push({ iteration: it, file: name });
    },
    onProgress: (s) => bar.update(s.iteration, { D: s.dLoss.toFixed(3), G: s.gLoss.toFixed(3) }),
  });
  bar.stop();
  const longer = generator.sample(8, { ts: linspace(0, 2, 32) });
  writeGif(file('extrapolation-32-frames.gif'), videoGridFrames(longer, { cols: 4, scale: 2 }), 120);
  longer.dispose();
  writeText(
    file('losses.svg'),
    await lineChart(
      [
        { name: 'critic (D) loss', x: history.dLoss.map((_, i) => i + 1), y: history.dLoss },
        { name: 'generator (G) loss', x: history.gLoss.map((_, i) => i + 1), y: history.gLoss },
      ],
      { title: 'Video WGAN losses', xLabel: 'iteration', yLabel: 'Wasserstein loss' },
    ),
  );
  const nEval = quick ? 16 : 160;
  const real = (await loadMovingFashion({ split: 'test', size: 32, frames: 16, items: 1, seed: 1 })).batch(nEval);
  const fake = generator.sample(nEval);
  const scores = await evaluateVideos(real, fake);
  tf.dispose([real, fake]);
  const summary = {
    iterations,
    secondsPerIteration: round(history.secondsPerIteration, 3),
    temporalParameters: parameterCount(temporal),
    inceptionScore: round(scores.inceptionScore, 3),
    realInceptionScore: round(scores.realInceptionScore, 3),
    frechetFrameDistance: round(scores.frechetFrameDistance, 2),
  };
  writeJson(file('results.json'), { quick, ...summary, samples: grids, dLoss: history.dLoss, gLoss: history.gLoss });
  log(
    `IS analogue ${summary.inceptionScore} (real frames ${summary.realInceptionScore}), frame FD ${summary.frechetFrameDistance}; ${summary.secondsPerIteration} s per iteration`,
  );
  trainer.dispose();
  return { out, files, summary };
}
