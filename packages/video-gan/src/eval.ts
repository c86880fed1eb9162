/**
 * Evaluation with `@nde/metrics`: an Inception-Score analogue and Fréchet distances computed with an
 * in-project classifier (default: the shipped Fashion-MNIST CNN, `fashionClassifier()`), applied frame
 * by frame; or with any feature model (e.g. a C3D/I3D conversion) through the options.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '@nde/core';
import {
  fashionClassifier,
  features,
  fid,
  frechetVideoDistance,
  inceptionScore,
  prepareFashionFrames,
  type FeatureModel,
} from '@nde/metrics';

/**
 * A `prepare` for {@link evaluateVideos} on scenes with one small moving item (Moving Fashion-MNIST with
 * `items: 1`): each frame is cropped to a `box`×`box` window centred on its intensity centroid, resized
 * bilinearly to 28×28 and zero-padded to 32×32 — the centred-item input the shipped Fashion-MNIST classifier
 * was trained on. Without it the classifier sees a small off-centre item and gives real frames a low
 * IS analogue (≈ 2.2–2.8 at 32×32 with 16–20 px items, ≈ 4.2 with the crop). Apply the same function to real
 * and generated frames; frames are `[n, h, w, 1]` in [0, 1], the result is a new `[n, 32, 32, 1]` tensor.
 *
 * @param box Side of the crop window in pixels of the input frames (the item size, e.g. `data.itemSize`).
 * @returns A function for `VideoEvalOptions.prepare`.
 * @example
 * ```ts
 * const s = await evaluateVideos(real, fake, { prepare: centroidCropFrames(data.itemSize) });
 * ```
 */
export function centroidCropFrames(box: number): (frames: tf.Tensor4D) => tf.Tensor4D {
  if (!(box > 1)) throw new InvalidArgumentError('box', `must be > 1 pixel (got ${box}).`);
  return (frames) =>
    tf.tidy(() => {
      const [n, h, w, c] = frames.shape;
      if (c !== 1) throw new ShapeError('frames', `has shape [${frames.shape}]; expected grey frames [n, h, w, 1].`);
      const m = frames.reshape([n, h, w]);
      const mass = m.sum([1, 2]).add(1e-6);
      const cy = m
        .mul(tf.range(0, h).reshape([1, h, 1]))
        .sum([1, 2])
        .div(mass);
      const cx = m
        .mul(tf.range(0, w).reshape([1, 1, w]))
        .sum([1, 2])
        .div(mass);
      const half = box / 2 - 0.5;
      const boxes = tf.stack(
        [cy.sub(half).div(h - 1), cx.sub(half).div(w - 1), cy.add(half).div(h - 1), cx.add(half).div(w - 1)],
        1,
      ) as tf.Tensor2D;
      const crops = tf.image.cropAndResize(frames, boxes, tf.range(0, n, 1, 'int32') as tf.Tensor1D, [28, 28]);
      return prepareFashionFrames(crops);
    });
}

/** Options of {@link evaluateVideos}. */
export interface VideoEvalOptions {
  /** Frame classifier (default: `fashionClassifier()`, loaded and disposed within the call; pass one to reuse it). */
  model?: FeatureModel;
  /** Layer whose activations are the features (default `'features'`, 128-d for the shipped CNN). */
  featureLayer?: string;
  /** Layer/node giving class probabilities (default: the model output, softmax for the shipped CNN). */
  probabilityLayer?: string;
  /** Frames `[N, H, W, C]` in [0, 1] → model input (default `prepareFashionFrames`, 32×32 grey). */
  prepare?: (frames: tf.Tensor4D) => tf.Tensor4D;
  /**
   * Per-video features for the video Fréchet distance, e.g. from a C3D/I3D conversion (`[n, d]`).
   * Default: the frame features averaged over time.
   */
  videoFeatures?: (videos: tf.Tensor5D) => Promise<tf.Tensor2D>;
  /** Splits of the Inception-Score analogue (default 1). */
  splits?: number;
}

/** Scores of generated videos against real ones. */
export interface VideoScores {
  /** Inception-Score analogue of the generated frames (exp E KL(p(y|x) ‖ p(y))). */
  inceptionScore: number;
  /** The same on the real frames (the ceiling this classifier gives this data). */
  realInceptionScore: number;
  /** Fréchet distance between real and generated frame features. */
  frechetFrameDistance: number;
  /** Fréchet distance between per-video features (null when there are not more videos than feature dimensions). */
  frechetVideoDistance: number | null;
}

/**
 * Score generated videos against real videos (both `[n, T, H, W, C]` in [-1, 1]; not disposed).
 *
 * @param real - Real videos `[n, T, H, W, C]` in [-1, 1].
 * @param fake - Generated videos `[m, T, H, W, C]` in [-1, 1] (same frame shape as `real`).
 * @param options - Classifier, layers, frame preparation and optional video features.
 * @throws `ShapeError` when the two sets have different frame shapes.
 * @example
 * ```ts
 * const real = data.batch(256), fake = generator.sample(256);
 * const s = await evaluateVideos(real, fake);   // { inceptionScore, realInceptionScore, frechetFrameDistance, frechetVideoDistance }
 * ```
 */
export async function evaluateVideos(real: tf.Tensor5D, fake: tf.Tensor5D, options: VideoEvalOptions = {}): Promise<VideoScores> {
  if (real.shape.slice(1).join() !== fake.shape.slice(1).join())
    throw new ShapeError('fake', `has shape [${fake.shape}], real [${real.shape}]; frames must match.`);
  const owned = options.model ? undefined : await fashionClassifier();
  const model = options.model ?? (owned as FeatureModel);
  const prepare = options.prepare ?? ((x: tf.Tensor4D) => prepareFashionFrames(x));
  const featureLayer = options.featureLayer ?? 'features';
  const toFrames = (v: tf.Tensor5D): tf.Tensor4D =>
    tf.tidy(() =>
      prepare(
        v
          .add(1)
          .div(2)
          .clipByValue(0, 1)
          .reshape([-1, ...v.shape.slice(2)]) as tf.Tensor4D,
      ),
    );
  const held: tf.Tensor[] = [];
  try {
    const rf = toFrames(real);
    const ff = toFrames(fake);
    held.push(rf, ff);
    const probOpts = options.probabilityLayer ? { layer: options.probabilityLayer } : {};
    const pf = await features(model, ff, probOpts);
    const pr = await features(model, rf, probOpts);
    held.push(pf, pr);
    const splits = options.splits ?? 1;
    const is = (await inceptionScore(pf, { splits })).mean;
    const isReal = (await inceptionScore(pr, { splits })).mean;
    const fr = await features(model, rf, { layer: featureLayer });
    const fk = await features(model, ff, { layer: featureLayer });
    held.push(fr, fk);
    const frame = await fid(fr, fk);
    let video: number | null = null;
    let vr: tf.Tensor2D | undefined;
    let vf: tf.Tensor2D | undefined;
    if (options.videoFeatures) {
      vr = await options.videoFeatures(real);
      vf = await options.videoFeatures(fake);
      held.push(vr, vf);
    }
    const d = vr ? (vr.shape[1] as number) : (fr.shape[1] as number);
    if (Math.min(real.shape[0], fake.shape[0]) > d) {
      video =
        vr && vf
          ? await frechetVideoDistance(vr, vf)
          : await frechetVideoDistance(fr.reshape([real.shape[0], real.shape[1], -1]), fk.reshape([fake.shape[0], fake.shape[1], -1]));
    }
    return { inceptionScore: is, realInceptionScore: isReal, frechetFrameDistance: frame, frechetVideoDistance: video };
  } finally {
    tf.dispose(held);
    owned?.dispose();
  }
}
