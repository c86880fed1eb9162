/** Turn generated videos into RGBA frames (for GIF/PNG writers such as `@nde/plot`'s `writeGif`). */
import type * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@nde/core';

/** An RGBA image (same layout as `@nde/plot`'s `Rgba`). */
export interface RgbaImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** `width·height·4` bytes, row-major RGBA (alpha always 255). */
  data: Uint8Array;
}

/**
 * Tile videos `[n, T, H, W, C]` (values in [-1, 1], C = 1 or 3) into one grid per time step:
 * `T` RGBA frames of `cols` videos per row with a 1-pixel white gap, each pixel scaled up by `scale`.
 *
 * @param videos - Videos `[n, T, H, W, C]`; read synchronously, not disposed.
 * @param options - `cols`: videos per grid row (default 4); `scale`: integer upscaling factor of every pixel (default 1).
 * @returns `T` host images, one per time step, each `(cols·W·scale + cols − 1) × (rows·H·scale + rows − 1)`.
 * @throws `ShapeError` when `C` is not 1 or 3.
 * @example
 * ```ts
 * const frames = videoGridFrames(generator.sample(16), { cols: 4, scale: 2 });
 * writeGif('samples.gif', frames, 120);   // from @nde/plot
 * ```
 */
export function videoGridFrames(videos: tf.Tensor5D, options: { cols?: number; scale?: number } = {}): RgbaImage[] {
  const { cols = 4, scale = 1 } = options;
  const [n, T, H, W, C] = videos.shape;
  if (C !== 1 && C !== 3) throw new ShapeError('videos', `has ${C} channels; expected 1 or 3.`);
  const v = videos.dataSync();
  const rows = Math.ceil(n / cols);
  const cw = W * scale;
  const ch = H * scale;
  const width = cols * cw + (cols - 1);
  const height = rows * ch + (rows - 1);
  const out: RgbaImage[] = [];
  for (let t = 0; t < T; t++) {
    const data = new Uint8Array(width * height * 4).fill(255);
    for (let k = 0; k < n; k++) {
      const ox = (k % cols) * (cw + 1);
      const oy = Math.floor(k / cols) * (ch + 1);
      for (let y = 0; y < ch; y++) {
        for (let x = 0; x < cw; x++) {
          const src = (((k * T + t) * H + Math.floor(y / scale)) * W + Math.floor(x / scale)) * C;
          const p = ((oy + y) * width + ox + x) * 4;
          for (let c = 0; c < 3; c++) {
            const val = v[src + (C === 3 ? c : 0)] as number;
            data[p + c] = Math.round(255 * Math.min(1, Math.max(0, (val + 1) / 2)));
          }
        }
      }
    }
    out.push({ width, height, data });
  }
  return out;
}
