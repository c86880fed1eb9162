/**
 * Frame loaders: a folder of PNG frames (Node, via pngjs) or an already-decoded frame array
 * (e.g. from a GIF or MP4 decoder), to the `[T, H, W, C]` float layout in [−1, 1].
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, assertNodeRuntime } from '@nde/core';

/** Options of {@link framesFromArray} / {@link loadFrameFolder}. */
export interface FrameLoadOptions {
  /** Keep 1 (gray, luminance) or 3 (RGB) channels (default 1). */
  channels?: 1 | 3;
  /** Resize every frame to size×size (bilinear; default: keep). */
  size?: number;
}

/**
 * Frames `[T, H, W, C]` in [−1, 1] from decoded pixels: `data` is uint8 (0..255) or float (0..1),
 * row-major `[T, H, W, srcChannels]` with srcChannels 1, 3 or 4 (alpha dropped). Caller owns the tensor.
 * @param data - Decoded pixels: uint8 in 0..255, or `Float32Array` in 0..1.
 * @param shape - `[T, H, W, srcChannels]` of `data`.
 * @param o - Output channels (1: luminance 0.299 R + 0.587 G + 0.114 B; 3: RGB, gray tiled) and optional square resize.
 * @throws ShapeError when `srcChannels` is not 1, 3 or 4 or `data` does not match `shape`.
 *
 * @example
 * ```ts
 * const frames = framesFromArray(gifPixels, [20, 64, 64, 4], { channels: 1, size: 32 }); // [20, 32, 32, 1]
 * ```
 */
export function framesFromArray(
  data: Uint8Array | Uint8ClampedArray | Float32Array,
  shape: readonly [number, number, number, number],
  o: FrameLoadOptions = {},
): tf.Tensor4D {
  const [T, H, W, C] = shape;
  if (![1, 3, 4].includes(C)) throw new ShapeError('shape', `source channels must be 1, 3 or 4 (got ${C}).`);
  if (data.length !== T * H * W * C) throw new ShapeError('data', `has ${data.length} values, shape [${shape}] needs ${T * H * W * C}.`);
  const channels = o.channels ?? 1;
  return tf.tidy(() => {
    const scale = data instanceof Float32Array ? 1 : 1 / 255;
    let x: tf.Tensor4D = tf.mul(tf.tensor4d(Float32Array.from(data), [T, H, W, C]), scale);
    if (C === 4) x = x.slice([0, 0, 0, 0], [T, H, W, 3]);
    const rgb = C === 1 ? 1 : 3;
    if (channels === 1 && rgb === 3) x = tf.sum(tf.mul(x, tf.tensor1d([0.299, 0.587, 0.114])), -1, true) as tf.Tensor4D;
    if (channels === 3 && rgb === 1) x = tf.tile(x, [1, 1, 1, 3]);
    if (o.size !== undefined && (o.size !== H || o.size !== W)) x = tf.image.resizeBilinear(x, [o.size, o.size]);
    return tf.sub(tf.mul(x, 2), 1) as tf.Tensor4D;
  });
}

/**
 * Load every `*.png` of a folder (sorted by name) as frames `[T, H, W, C]` in [−1, 1] (Node only;
 * uses `pngjs`). All frames must share one size.
 * @param dir - Path of the folder holding the frames (files sorted by name give the frame order).
 * @param o - Output channels and optional square resize, as in {@link framesFromArray}.
 * @returns The frames tensor (caller owns it).
 * @throws InvalidArgumentError when the folder is missing or has no PNGs; ShapeError when frame sizes differ.
 *
 * @example
 * ```ts
 * const frames = await loadFrameFolder('./frames', { channels: 1, size: 64 });
 * ```
 */
export async function loadFrameFolder(dir: string, o: FrameLoadOptions = {}): Promise<tf.Tensor4D> {
  assertNodeRuntime('loadFrameFolder', 'In browsers decode the frames yourself (e.g. with createImageBitmap) and pass a frame array.');
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { PNG } = await import('pngjs');
  if (!fs.existsSync(dir)) throw new InvalidArgumentError('dir', `folder '${dir}' does not exist.`);
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith('.png'))
    .sort();
  if (files.length === 0)
    throw new InvalidArgumentError('dir', `no .png frames in '${dir}'.`, 'Export the video as frame_0001.png, frame_0002.png, …');
  let W = 0;
  let H = 0;
  const pixels: Uint8Array[] = [];
  for (const f of files) {
    const png = PNG.sync.read(fs.readFileSync(path.join(dir, f)));
    if (pixels.length === 0) [W, H] = [png.width, png.height];
    else if (png.width !== W || png.height !== H)
      throw new ShapeError('dir', `frame '${f}' is ${png.width}×${png.height}, the first is ${W}×${H}.`);
    pixels.push(new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length));
  }
  const all = new Uint8Array(files.length * H * W * 4);
  pixels.forEach((p, i) => all.set(p, i * H * W * 4));
  return framesFromArray(all, [files.length, H, W, 4], o);
}

/**
 * Baseline for missing frames: linear interpolation in time between the nearest observed frames
 * (nearest observed frame at the ends). `frames: [T, ...]`, `observed[t]` true where frame t is known.
 * @param frames - All frames, row-major `[T, …]` (values of missing frames are ignored); not modified.
 * @param T - Number of frames in `frames`.
 * @param observed - One flag per frame: true where the frame is known.
 * @returns A new array shaped like `frames` with the missing frames filled in.
 * @throws ShapeError when `observed.length !== T`; InvalidArgumentError when no frame is observed.
 *
 * @example
 * ```ts
 * const filled = interpolateMissingFrames(seq.data, 32, [true, false, true, …]);
 * ```
 */
export function interpolateMissingFrames(frames: Float32Array, T: number, observed: readonly boolean[]): Float32Array {
  if (observed.length !== T) throw new ShapeError('observed', `has ${observed.length} entries for ${T} frames.`);
  const known = observed.map((o, t) => (o ? t : -1)).filter((t) => t >= 0);
  if (known.length === 0) throw new InvalidArgumentError('observed', 'needs at least one observed frame.');
  const F = frames.length / T;
  const out = new Float32Array(frames);
  for (let t = 0; t < T; t++) {
    if (observed[t]) continue;
    const prev = [...known].reverse().find((k) => k < t);
    const next = known.find((k) => k > t);
    for (let p = 0; p < F; p++) {
      const a = prev !== undefined ? (frames[prev * F + p] as number) : undefined;
      const b = next !== undefined ? (frames[next * F + p] as number) : undefined;
      out[t * F + p] =
        a !== undefined && b !== undefined
          ? a + ((b - a) * (t - (prev as number))) / ((next as number) - (prev as number))
          : ((a ?? b) as number);
    }
  }
  return out;
}
