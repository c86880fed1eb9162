/** GIF animations with gifenc (pure JS). */
/// <reference path="./gifenc.d.ts" />
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as Gifenc from 'gifenc';
import type { Rgba } from './image.js';

// gifenc's `main` is CJS and its `module` ESM: plain Node ESM, tsx and vitest disagree on which one an
// `import` gets, so load the CJS build the same way everywhere (this package is Node-only).
const { GIFEncoder, applyPalette, quantize } = createRequire(import.meta.url)('gifenc') as typeof Gifenc;

/** Write frames (same size) as a looping GIF. */
export function writeGif(path: string, frames: readonly Rgba[], delayMs = 100): void {
  const first = frames[0];
  if (!first) throw new Error('writeGif: no frames');
  const gif = GIFEncoder();
  for (const f of frames) {
    const palette = quantize(f.data, 256);
    gif.writeFrame(applyPalette(f.data, palette), f.width, f.height, { palette, delay: delayMs });
  }
  gif.finish();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gif.bytes());
}
