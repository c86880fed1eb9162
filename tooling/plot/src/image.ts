/** PNG images and image grids (RGBA bytes), written with pngjs. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';

/** An RGBA image. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Write an RGBA image as PNG. */
export function writePng(path: string, img: Rgba): void {
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, PNG.sync.write(png));
}

/** Read a PNG file as RGBA. */
export function readPng(buffer: Uint8Array): Rgba {
  const png = PNG.sync.read(Buffer.from(buffer));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}

/** A viridis-like colour map: t ∈ [0, 1] → [r, g, b]. */
export function colormap(t: number): [number, number, number] {
  const stops: [number, number, number][] = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i] as [number, number, number];
  const b = stops[i + 1] as [number, number, number];
  return [0, 1, 2].map((k) => Math.round((a[k] as number) + f * ((b[k] as number) - (a[k] as number)))) as [number, number, number];
}

/** A heatmap of `values` (row-major, height × width), normalised to [min, max], colour-mapped. */
export function heatmap(values: ArrayLike<number>, width: number, height: number, range?: [number, number]): Rgba {
  let lo = range?.[0] ?? Infinity;
  let hi = range?.[1] ?? -Infinity;
  if (!range) {
    for (let i = 0; i < values.length; i++) {
      lo = Math.min(lo, values[i] as number);
      hi = Math.max(hi, values[i] as number);
    }
  }
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = colormap(((values[i] as number) - lo) / (hi - lo || 1));
    data.set([r, g, b, 255], i * 4);
  }
  return { width, height, data };
}

/** A grayscale image from values in [0, 1] (row-major). */
export function gray(values: ArrayLike<number>, width: number, height: number): Rgba {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const v = Math.round(255 * Math.min(1, Math.max(0, values[i] as number)));
    data.set([v, v, v, 255], i * 4);
  }
  return { width, height, data };
}

/** Tile equally sized images into a grid with a 1-pixel gap. */
export function grid(images: readonly Rgba[], cols: number, gap = 1): Rgba {
  const first = images[0];
  if (!first) throw new Error('grid: no images');
  const rows = Math.ceil(images.length / cols);
  const width = cols * first.width + (cols - 1) * gap;
  const height = rows * first.height + (rows - 1) * gap;
  const data = new Uint8Array(width * height * 4).fill(255);
  images.forEach((img, k) => {
    const ox = (k % cols) * (first.width + gap);
    const oy = Math.floor(k / cols) * (first.height + gap);
    for (let y = 0; y < img.height; y++) {
      data.set(img.data.subarray(y * img.width * 4, (y + 1) * img.width * 4), ((oy + y) * width + ox) * 4);
    }
  });
  return { width, height, data };
}

/** Scale an image up by an integer factor (nearest neighbour), for small frames. */
export function upscale(img: Rgba, factor: number): Rgba {
  const width = img.width * factor;
  const height = img.height * factor;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (Math.floor(y / factor) * img.width + Math.floor(x / factor)) * 4;
      data.set(img.data.subarray(s, s + 4), (y * width + x) * 4);
    }
  }
  return { width, height, data };
}
