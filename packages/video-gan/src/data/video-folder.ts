/**
 * Videos from a folder of decoded frame arrays, for users who have UCF-101 (or any video set): one
 * `.npy` per video, `uint8 [T, H, W]` or `[T, H, W, C]` (0..255) or float32 in [0, 1]. Clips of
 * `frames` consecutive frames (every `stride`-th) start at a random frame and are centre-cropped (or
 * randomly cropped) to `size×size`, then scaled to [-1, 1] — TGAN's UCF-101 recipe when the arrays were
 * resized to 64×85 beforehand (see the README).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError, assertNodeRuntime, assertPositiveInteger } from '@nde/core';

import { parseNpy, type NpyArray } from '@nde/data';
import { mulberry32 } from './random.js';

/** Options of {@link loadVideoFolder}. */
export interface VideoFolderOptions {
  /** Frames per clip (default 16). */
  frames?: number;
  /** Take every `stride`-th frame (default 1). */
  stride?: number;
  /** Crop size (default: the smaller of H and W). */
  size?: number;
  /** `'center'` (TGAN) or `'random'` crops (default `'center'`). */
  crop?: 'center' | 'random';
  /** Keep at most this many videos (sorted by file name). */
  limit?: number;
  /** Seed of clip sampling. */
  seed?: number;
}

/** Decoded videos with clip sampling. */
export class VideoFolderDataset {
  /** Frames per clip. */
  readonly frames: number;
  /** Side of the square crops in pixels. */
  readonly size: number;
  /** Channels of the videos (1 for `[T, H, W]` arrays). */
  readonly channels: number;
  private readonly rand: () => number;

  /**
   * @throws `ShapeError` when videos disagree on H, W, C or are shorter than one clip.
   * @example
   * ```ts
   * const ds = new VideoFolderDataset([{ name: 'a', array: { data: new Uint8Array(20 * 64 * 64), shape: [20, 64, 64] } }], { frames: 16 });
   * ```
   */
  constructor(
    /** The decoded videos `[T, H, W]` or `[T, H, W, C]` with their names (used in error messages). */
    readonly videos: readonly { name: string; array: NpyArray }[],
    private readonly options: VideoFolderOptions = {},
  ) {
    if (videos.length === 0) throw new InvalidArgumentError('videos', 'is empty.', 'Put one .npy per video in the folder.');
    this.frames = options.frames ?? 16;
    assertPositiveInteger('frames', this.frames);
    const stride = options.stride ?? 1;
    assertPositiveInteger('stride', stride);
    const first = videos[0]?.array.shape as number[];
    const dims = (s: number[]): [number, number, number] => [s[1] as number, s[2] as number, s.length === 4 ? (s[3] as number) : 1];
    videos.forEach(({ name, array }) => {
      if (array.shape.length !== 3 && array.shape.length !== 4)
        throw new ShapeError(name, `has shape [${array.shape}]; expected [T, H, W] or [T, H, W, C].`);
      const [h, w, c] = dims(array.shape);
      const [h0, w0, c0] = dims(first);
      if (h !== h0 || w !== w0 || c !== c0)
        throw new ShapeError(
          name,
          `has frames ${h}×${w}×${c}, the first video ${h0}×${w0}×${c0}.`,
          'Resize every video to the same size first (TGAN: 64×85).',
        );
      if ((array.shape[0] as number) < (this.frames - 1) * stride + 1)
        throw new ShapeError(name, `has ${array.shape[0]} frames; a clip needs ${(this.frames - 1) * stride + 1}.`);
    });
    const [h, w, c] = dims(first);
    this.size = options.size ?? Math.min(h, w);
    if (this.size > Math.min(h, w)) throw new InvalidArgumentError('size', `${this.size} exceeds the frames (${h}×${w}).`);
    this.channels = c;
    this.rand = mulberry32(options.seed ?? 0);
  }

  /** `n` random clips `[n, frames, size, size, C]` in [-1, 1] (new tensor owned by the caller). */
  batch(n: number): tf.Tensor5D {
    assertPositiveInteger('n', n);
    const { frames: T, size: S, channels: C, rand } = this;
    const stride = this.options.stride ?? 1;
    const out = new Float32Array(n * T * S * S * C);
    for (let v = 0; v < n; v++) {
      const { array } = this.videos[Math.floor(rand() * this.videos.length)] as { array: NpyArray };
      const [len, H, W] = array.shape as [number, number, number];
      const start = Math.floor(rand() * (len - (T - 1) * stride));
      const random = this.options.crop === 'random';
      const oy = random ? Math.floor(rand() * (H - S + 1)) : Math.floor((H - S) / 2);
      const ox = random ? Math.floor(rand() * (W - S + 1)) : Math.floor((W - S) / 2);
      const scale = array.data instanceof Uint8Array ? 1 / 255 : 1;
      for (let t = 0; t < T; t++) {
        const f = start + t * stride;
        for (let y = 0; y < S; y++) {
          for (let x = 0; x < S; x++) {
            for (let ch = 0; ch < C; ch++) {
              const src = ((f * H + oy + y) * W + ox + x) * C + ch;
              out[(((v * T + t) * S + y) * S + x) * C + ch] = 2 * (array.data[src] as number) * scale - 1;
            }
          }
        }
      }
    }
    return tf.tensor5d(out, [n, T, S, S, C]);
  }
}

/**
 * Read every `.npy` in `dir` (Node) into a {@link VideoFolderDataset}.
 *
 * @param dir - Folder with one `.npy` per video (read in file-name order; other files are ignored).
 * @param options - Clip sampling options, including `limit` on the number of videos read.
 * @throws `InvalidArgumentError` when `dir` cannot be read; `UnsupportedError` outside Node.
 * @example
 * ```ts
 * const ucf = await loadVideoFolder('/data/ucf101-64x85', { frames: 16, size: 64 });
 * const clips = ucf.batch(8); // [8, 16, 64, 64, 3]
 * ```
 */
export async function loadVideoFolder(dir: string, options: VideoFolderOptions = {}): Promise<VideoFolderDataset> {
  assertNodeRuntime('loadVideoFolder', 'In browsers decode the videos yourself and pass the frame arrays (see parseNpy).');
  const fs = await import('node:fs/promises');
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((f) => f.endsWith('.npy')).sort();
  } catch (e) {
    throw new InvalidArgumentError('dir', `cannot be read (${(e as Error).message.split('\n')[0]}).`);
  }
  if (options.limit !== undefined) names = names.slice(0, options.limit);
  const videos = await Promise.all(
    names.map(async (name) => ({ name, array: parseNpy(new Uint8Array(await fs.readFile(`${dir}/${name}`)), name) })),
  );
  return new VideoFolderDataset(videos, options);
}
