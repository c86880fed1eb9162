/**
 * Moving Fashion-MNIST: 1–2 Fashion-MNIST items bouncing inside a square canvas (Moving-MNIST's recipe,
 * Srivastava et al. 2015, with Fashion-MNIST items), generated on the host from the IDX files of Debian's
 * `dataset-fashion-mnist`. Every video knows the classes of its items (for class-aware evaluation).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, assertPositiveInteger } from '@nde/core';
import { loadFashionMnist, FASHION_MNIST_DIR, type MnistSplit } from '@nde/data';

import { mulberry32 } from './random.js';

/** Options of {@link MovingFashionMnist}. */
export interface MovingFashionOptions {
  /** Canvas size (default 32; 64 as the paper's resolution). */
  size?: number;
  /** Frames per video (default 16). */
  frames?: number;
  /** Items per video: a number, or `[min, max]` drawn uniformly per video (default `[1, 2]`). */
  items?: number | [number, number];
  /** Item size in pixels (28×28 resized bilinearly; default 16 for 32×32, 28 otherwise). */
  itemSize?: number;
  /** Speed range in pixels per frame (default `[1, 3]` at 32×32, scaled with the canvas). */
  speed?: [number, number];
  /** Seed of the video stream. */
  seed?: number;
}

/** A batch of videos on the host. */
export interface VideoArrays {
  /** `[n, frames, size, size, 1]` row-major, values in [-1, 1]. */
  videos: Float32Array;
  /** Classes of the items of each video. */
  labels: number[][];
  /** `[n, frames, size, size, 1]`, the shape of {@link VideoArrays.videos}. */
  shape: [number, number, number, number, number];
}

function resize28(src: Uint8Array, offset: number, out: number): Float32Array {
  // Bilinear with align-corners = false (area-like for downscaling by ≤ 2).
  const dst = new Float32Array(out * out);
  const scale = 28 / out;
  for (let y = 0; y < out; y++) {
    const sy = Math.min(27, Math.max(0, (y + 0.5) * scale - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(27, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < out; x++) {
      const sx = Math.min(27, Math.max(0, (x + 0.5) * scale - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(27, x0 + 1);
      const fx = sx - x0;
      const p = (yy: number, xx: number): number => src[offset + yy * 28 + xx] as number;
      dst[y * out + x] = ((1 - fy) * ((1 - fx) * p(y0, x0) + fx * p(y0, x1)) + fy * ((1 - fx) * p(y1, x0) + fx * p(y1, x1))) / 255;
    }
  }
  return dst;
}

/**
 * A stream of Moving Fashion-MNIST videos.
 *
 * @example
 * ```ts
 * const { train } = await loadFashionMnist();
 * const data = new MovingFashionMnist(train, { size: 32, frames: 16, items: [1, 2], seed: 0 });
 * const x = data.batch(16);                   // tf.Tensor5D [16, 16, 32, 32, 1] in [-1, 1]
 * ```
 */
export class MovingFashionMnist {
  /** Side of the square canvas in pixels. */
  readonly size: number;
  /** Frames per video. */
  readonly frames: number;
  /** Side of each (resized) item in pixels. */
  readonly itemSize: number;
  private readonly items: [number, number];
  private readonly speed: [number, number];
  private readonly rand: () => number;
  private readonly cache = new Map<number, Float32Array>();

  /** @throws `InvalidArgumentError` for items larger than the canvas or bad counts. */
  constructor(
    private readonly source: Pick<MnistSplit, 'images' | 'labels' | 'count'>,
    options: MovingFashionOptions = {},
  ) {
    const size = options.size ?? 32;
    assertPositiveInteger('size', size);
    this.size = size;
    this.frames = options.frames ?? 16;
    assertPositiveInteger('frames', this.frames);
    this.itemSize = options.itemSize ?? (size <= 32 ? 16 : 28);
    assertPositiveInteger('itemSize', this.itemSize);
    if (this.itemSize > size) throw new InvalidArgumentError('itemSize', `${this.itemSize} exceeds the canvas ${size}.`);
    const it = options.items ?? [1, 2];
    this.items = typeof it === 'number' ? [it, it] : it;
    if (!(Number.isInteger(this.items[0]) && this.items[0] >= 1 && this.items[1] >= this.items[0]))
      throw new InvalidArgumentError('items', `must be ≥ 1 and min ≤ max (got ${JSON.stringify(it)}).`);
    this.speed = options.speed ?? [size / 32, (3 * size) / 32];
    if (!(this.speed[0] >= 0 && this.speed[1] >= this.speed[0]))
      throw new InvalidArgumentError('speed', `needs 0 ≤ min ≤ max (got ${JSON.stringify(this.speed)}).`);
    if (source.count < 1) throw new InvalidArgumentError('source', 'has no images.');
    this.rand = mulberry32(options.seed ?? 0);
  }

  private item(index: number): Float32Array {
    let img = this.cache.get(index);
    if (!img) {
      img = resize28(this.source.images, index * 784, this.itemSize);
      if (this.cache.size > 20000) this.cache.clear();
      this.cache.set(index, img);
    }
    return img;
  }

  /** `n` videos as host arrays. */
  batchArrays(n: number): VideoArrays {
    assertPositiveInteger('n', n);
    const { size: S, frames: T, itemSize: I, rand } = this;
    const videos = new Float32Array(n * T * S * S);
    const labels: number[][] = [];
    const room = S - I;
    for (let v = 0; v < n; v++) {
      const k = this.items[0] + Math.floor(rand() * (this.items[1] - this.items[0] + 1));
      const vl: number[] = [];
      for (let j = 0; j < k; j++) {
        const idx = Math.floor(rand() * this.source.count);
        vl.push(this.source.labels[idx] as number);
        const img = this.item(idx);
        let x = rand() * room;
        let y = rand() * room;
        const theta = rand() * 2 * Math.PI;
        const sp = this.speed[0] + rand() * (this.speed[1] - this.speed[0]);
        let vx = sp * Math.cos(theta);
        let vy = sp * Math.sin(theta);
        for (let t = 0; t < T; t++) {
          const ox = Math.round(x);
          const oy = Math.round(y);
          const base = (v * T + t) * S * S;
          for (let r = 0; r < I; r++) {
            for (let c = 0; c < I; c++) {
              const p = base + (oy + r) * S + ox + c;
              videos[p] = Math.max(videos[p] as number, img[r * I + c] as number);
            }
          }
          x += vx;
          y += vy;
          if (x < 0) {
            x = -x;
            vx = -vx;
          }
          if (x > room) {
            x = 2 * room - x;
            vx = -vx;
          }
          if (y < 0) {
            y = -y;
            vy = -vy;
          }
          if (y > room) {
            y = 2 * room - y;
            vy = -vy;
          }
          x = Math.min(room, Math.max(0, x));
          y = Math.min(room, Math.max(0, y));
        }
      }
      labels.push(vl);
    }
    for (let i = 0; i < videos.length; i++) videos[i] = 2 * (videos[i] as number) - 1;
    return { videos, labels, shape: [n, T, S, S, 1] };
  }

  /** `n` videos `[n, frames, size, size, 1]` in [-1, 1] (new tensor owned by the caller). */
  batch(n: number): tf.Tensor5D {
    const { videos, shape } = this.batchArrays(n);
    return tf.tensor5d(videos, shape);
  }
}

/**
 * Load Fashion-MNIST from the Debian IDX files and return a {@link MovingFashionMnist} over one split.
 *
 * @param options - {@link MovingFashionOptions} plus `split` (`'train'` by default or `'test'`) and `dir`
 *   (folder of the IDX files, default `FASHION_MNIST_DIR` from `@nde/data`).
 * @example
 * ```ts
 * const data = await loadMovingFashion({ split: 'train', size: 32, seed: 0 });
 * ```
 */
export async function loadMovingFashion(
  options: MovingFashionOptions & { split?: 'train' | 'test'; dir?: string } = {},
): Promise<MovingFashionMnist> {
  const { train, test } = await loadFashionMnist(options.dir ?? FASHION_MNIST_DIR);
  return new MovingFashionMnist(options.split === 'test' ? test : train, options);
}
