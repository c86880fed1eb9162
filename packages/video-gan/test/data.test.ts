import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect, it, describe } from 'vitest';
import { InvalidArgumentError, ShapeError, UnsupportedError } from '@nde/core';
import { FASHION_MNIST_DIR, encodeNpy, parseNpy } from '@nde/data';
import { MovingFashionMnist, loadMovingFashion, loadVideoFolder, videoGridFrames } from '../src/index.js';

const fakeSource = () => {
  const count = 5;
  const images = new Uint8Array(count * 784);
  for (let i = 0; i < count; i++)
    for (let p = 0; p < 784; p++) images[i * 784 + p] = p % 28 > 6 && p % 28 < 20 && p > 6 * 28 && p < 22 * 28 ? 255 : 0;
  return { images, labels: Uint8Array.from([0, 1, 2, 3, 4]), count };
};

describe('data', () => {
  it('Moving Fashion-MNIST: shapes, range, labels, bouncing stays inside, seeded', () => {
    const a = new MovingFashionMnist(fakeSource(), { size: 32, frames: 16, items: [1, 2], seed: 3 });
    const b = new MovingFashionMnist(fakeSource(), { size: 32, frames: 16, items: [1, 2], seed: 3 });
    const x = a.batchArrays(6);
    expect(x.shape).toEqual([6, 16, 32, 32, 1]);
    expect(x.videos.length).toBe(6 * 16 * 32 * 32);
    expect(x.videos.every((v) => v >= -1 && v <= 1)).toBe(true);
    x.labels.forEach((l) => expect(l.length === 1 || l.length === 2).toBe(true));
    expect(b.batchArrays(6).videos).toEqual(x.videos);
    // each frame shows an item (bright pixels), and frames differ over time (motion)
    const frame = (v: number, t: number) => x.videos.subarray((v * 16 + t) * 1024, (v * 16 + t + 1) * 1024);
    for (let t = 0; t < 16; t++) expect(Math.max(...frame(0, t))).toBeGreaterThan(0.5);
    expect(frame(0, 0)).not.toEqual(frame(0, 15));
    const t64 = new MovingFashionMnist(fakeSource(), { size: 64, items: 2, seed: 0 }).batch(2);
    expect(t64.shape).toEqual([2, 16, 64, 64, 1]);
    t64.dispose();
    expect(() => new MovingFashionMnist(fakeSource(), { size: 16, itemSize: 28 })).toThrow(InvalidArgumentError);
  });

  it.skipIf(!existsSync(FASHION_MNIST_DIR))('loads the Debian Fashion-MNIST files', async () => {
    const data = await loadMovingFashion({ split: 'test', size: 32, seed: 0 });
    const v = data.batch(2);
    expect(v.shape).toEqual([2, 16, 32, 32, 1]);
    v.dispose();
  });

  it('.npy round trip; video folder clips with centre crop; errors name the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgan-'));
    try {
      const T = 20;
      const H = 6;
      const W = 9;
      const u8 = new Uint8Array(T * H * W * 3).map((_, i) => i % 256);
      const back = parseNpy(encodeNpy(u8, [T, H, W, 3]));
      expect(back.shape).toEqual([T, H, W, 3]);
      expect(back.data).toEqual(u8);
      const f32 = Float32Array.from({ length: 24 }, (_, i) => i / 24);
      expect(Array.from(parseNpy(encodeNpy(f32, [2, 3, 4])).data)).toEqual(Array.from(f32));
      writeFileSync(join(dir, 'a.npy'), encodeNpy(u8, [T, H, W, 3]));
      writeFileSync(join(dir, 'b.npy'), encodeNpy(new Uint8Array(T * H * W * 3).fill(255), [T, H, W, 3]));
      writeFileSync(join(dir, 'notes.txt'), 'ignored');
      const ds = await loadVideoFolder(dir, { frames: 4, stride: 2, seed: 1 });
      expect(ds.size).toBe(6);
      const clips = ds.batch(5);
      expect(clips.shape).toEqual([5, 4, 6, 6, 3]);
      const v = clips.dataSync();
      expect(v.every((x) => x >= -1 && x <= 1)).toBe(true);
      clips.dispose();
      writeFileSync(join(dir, 'c.npy'), encodeNpy(new Uint8Array(T * H * 8 * 3), [T, H, 8, 3]));
      await expect(loadVideoFolder(dir, { frames: 4 })).rejects.toThrow(ShapeError);
      const bad = encodeNpy(u8, [T, H, W, 3]);
      bad[0] = 0;
      expect(() => parseNpy(bad)).toThrow(InvalidArgumentError);
      const i16 = encodeNpy(u8, [T, H, W, 3]);
      const hdr = new TextDecoder().decode(i16.subarray(10, 80)).replace('|u1', '<i2');
      i16.set(new TextEncoder().encode(hdr), 10);
      expect(() => parseNpy(i16)).toThrow(UnsupportedError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('videoGridFrames tiles videos into T RGBA frames', () => {
    const v = tf.zeros([3, 2, 4, 4, 1]) as tf.Tensor5D;
    const frames = videoGridFrames(v, { cols: 2, scale: 2 });
    expect(frames).toHaveLength(2);
    expect(frames[0]!.width).toBe(2 * 8 + 1);
    expect(frames[0]!.height).toBe(2 * 8 + 1);
    v.dispose();
  });
});
