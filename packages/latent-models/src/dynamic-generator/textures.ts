/**
 * Synthetic dynamic textures for the dynamic generator: moving sinusoidal waves, a flickering
 * fire-like noise field, and Moving Fashion-MNIST. Each returns `Float32Array` frames
 * `[T, size, size]` (one channel) with values in [−1, 1].
 */
import { InvalidArgumentError, ShapeError, assertPositiveInteger } from '@nde/core';
import { Rng } from '../training/seed.js';

/** A sequence of frames, row-major `[T, size, size]`, values in [−1, 1]. */
export interface FrameSequence {
  /** Pixel values, row-major `[T, size, size]` (length `T·size²`), in [−1, 1]. */
  readonly data: Float32Array;
  /** Number of frames. */
  readonly T: number;
  /** Frame height and width in pixels. */
  readonly size: number;
}

function check(T: number, size: number): void {
  assertPositiveInteger('T', T);
  if (!(Number.isInteger(size) && size >= 4)) throw new InvalidArgumentError('size', `must be an integer ≥ 4 (got ${size}).`);
}

/**
 * Two superposed plane waves travelling in random directions (random frequencies and speeds per seed).
 * @param T - Number of frames (positive integer).
 * @param size - Frame height and width in pixels (integer ≥ 4).
 * @param seed - Integer seed of the random directions, frequencies, speeds and phases (default 0).
 * @throws InvalidArgumentError when `T` or `size` is out of range.
 *
 * @example
 * ```ts
 * const seq = movingSinusoids(32, 32, 0); // seq.data.length === 32 * 32 * 32
 * ```
 */
export function movingSinusoids(T: number, size: number, seed = 0): FrameSequence {
  check(T, size);
  const r = new Rng(seed);
  const waves = [0, 1].map(() => {
    const a = 2 * Math.PI * r.uniform();
    return { kx: Math.cos(a), ky: Math.sin(a), f: 2 + 3 * r.uniform(), w: 0.3 + 0.4 * r.uniform(), p: 2 * Math.PI * r.uniform() };
  });
  const data = new Float32Array(T * size * size);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        let v = 0;
        for (const w of waves) v += 0.5 * Math.sin((2 * Math.PI * w.f * (w.kx * j + w.ky * i)) / size - w.w * t + w.p);
        data[(t * size + i) * size + j] = v;
      }
    }
  }
  return { data, T, size };
}

/**
 * A fire-like field: smooth value noise advected upwards, flickering in time, brighter at the bottom.
 * @param T - Number of frames (positive integer).
 * @param size - Frame height and width in pixels (integer ≥ 4).
 * @param seed - Integer seed of the random noise lattice (default 0).
 * @throws InvalidArgumentError when `T` or `size` is out of range.
 *
 * @example
 * ```ts
 * const seq = fireField(24, 32, 1);
 * ```
 */
export function fireField(T: number, size: number, seed = 0): FrameSequence {
  check(T, size);
  const r = new Rng(seed);
  const G = 8;
  const lattice = Array.from({ length: (G + 1) * (G + 1) * (T + 2) }, () => r.uniform());
  const at = (gi: number, gj: number, gt: number): number => lattice[(gt * (G + 1) + (gi % (G + 1))) * (G + 1) + (gj % (G + 1))] as number;
  const smooth = (x: number): number => x * x * (3 - 2 * x);
  const data = new Float32Array(T * size * size);
  for (let t = 0; t < T; t++) {
    const ft = t / 3;
    const t0 = Math.floor(ft);
    const wt = smooth(ft - t0);
    for (let i = 0; i < size; i++) {
      const y = ((i + 1.5 * t) / size) * G; // upward advection
      const y0 = Math.floor(y);
      const wy = smooth(y - y0);
      for (let j = 0; j < size; j++) {
        const x = (j / size) * (G - 1);
        const x0 = Math.floor(x);
        const wx = smooth(x - x0);
        const bil = (gt: number): number => {
          const a = at(y0, x0, gt) * (1 - wx) + at(y0, x0 + 1, gt) * wx;
          const b = at(y0 + 1, x0, gt) * (1 - wx) + at(y0 + 1, x0 + 1, gt) * wx;
          return a * (1 - wy) + b * wy;
        };
        const n = bil(t0) * (1 - wt) + bil(t0 + 1) * wt;
        const height = i / (size - 1); // 0 at the top, 1 at the bottom
        const v = Math.min(1, Math.max(0, n * 1.4 * height ** 1.5 + 0.15 * height));
        data[(t * size + i) * size + j] = 2 * v - 1;
      }
    }
  }
  return { data, T, size };
}

/**
 * Moving Fashion-MNIST: `count` 28×28 images (uint8, e.g. from `loadFashionMnist` of @nde/data)
 * bouncing inside a `size`×`size` canvas (size ≥ 32), pixel-wise max where they overlap.
 * @param images - Flat uint8 pixels of 28×28 images, `[count, 28, 28]` row-major (0..255).
 * @param indices - Which images to animate (one moving object per entry), each in `[0, count)`.
 * @param T - Number of frames (positive integer).
 * @param size - Canvas height and width in pixels (integer ≥ 32).
 * @param seed - Integer seed of the start positions and velocities (default 0).
 * @throws InvalidArgumentError when `T` or `size` is out of range; ShapeError for an index outside the images.
 *
 * @example
 * ```ts
 * const { train } = await loadFashionMnist();
 * const seq = movingFashion(train.images, [0, 1], 20, 64, 0);
 * ```
 */
export function movingFashion(images: Uint8Array, indices: readonly number[], T: number, size: number, seed = 0): FrameSequence {
  check(T, size);
  if (size < 32) throw new InvalidArgumentError('size', `must be ≥ 32 for 28×28 images (got ${size}).`);
  const count = images.length / 784;
  for (const k of indices)
    if (!(Number.isInteger(k) && k >= 0 && k < count)) throw new ShapeError('indices', `index ${k} outside [0, ${count}).`);
  const r = new Rng(seed);
  const lim = size - 28;
  const objs = indices.map((k) => ({
    k,
    x: r.uniform() * lim,
    y: r.uniform() * lim,
    vx: (r.uniform() * 2 - 1) * 2.5,
    vy: (r.uniform() * 2 - 1) * 2.5,
  }));
  const data = new Float32Array(T * size * size).fill(-1);
  for (let t = 0; t < T; t++) {
    for (const o of objs) {
      const ox = Math.round(o.x);
      const oy = Math.round(o.y);
      for (let i = 0; i < 28; i++) {
        for (let j = 0; j < 28; j++) {
          const v = ((images[o.k * 784 + i * 28 + j] as number) / 255) * 2 - 1;
          const idx = (t * size + oy + i) * size + ox + j;
          if (v > (data[idx] as number)) data[idx] = v;
        }
      }
      o.x += o.vx;
      o.y += o.vy;
      if (o.x < 0 || o.x > lim) {
        o.vx = -o.vx;
        o.x = Math.min(lim, Math.max(0, o.x));
      }
      if (o.y < 0 || o.y > lim) {
        o.vy = -o.vy;
        o.y = Math.min(lim, Math.max(0, o.y));
      }
    }
  }
  return { data, T, size };
}
