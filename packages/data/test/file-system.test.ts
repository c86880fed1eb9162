import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { InvalidArgumentError } from '@nde/core';
import { describeBackends } from '@nde/test-utils';
import { encodeNpy, fileSystemHandler, parseNpy } from '../src/index.js';

describeBackends('fileSystemHandler and .npy', () => {
  it('writes model.json + weights.bin and reads the same weights back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nde-data-fs-'));
    try {
      const w = tf.tensor2d([
        [1.5, -2],
        [0.25, 3],
      ]);
      const { data, specs } = await tf.io.encodeWeights({ w });
      await fileSystemHandler(`file://${dir}`).save!({ modelTopology: { kind: 'test' }, weightSpecs: specs, weightData: data });
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
      expect(json.weightsManifest[0]?.paths).toEqual(['weights.bin']);
      const back = await fileSystemHandler(dir).load!();
      const decoded = tf.io.decodeWeights(tf.io.CompositeArrayBuffer.join(back.weightData!), back.weightSpecs!);
      expect(Array.from(decoded.w!.dataSync())).toEqual([1.5, -2, 0.25, 3]);
      expect(back.modelTopology).toEqual({ kind: 'test' });
      tf.dispose([w, decoded]);
      expect(() => fileSystemHandler('')).toThrow(InvalidArgumentError);
      expect(() => fileSystemHandler('')).toThrow(/`dir`: must be a non-empty folder path/);
      await expect(fileSystemHandler(join(dir, 'nope')).load!()).rejects.toThrow(/no model.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('.npy round-trips float32 and uint8 arrays with their shape', () => {
    const f = parseNpy(encodeNpy(Float32Array.from([1, -2.5, 3, 4, 5, 6]), [2, 3]));
    expect(f.shape).toEqual([2, 3]);
    expect(Array.from(f.data)).toEqual([1, -2.5, 3, 4, 5, 6]);
    const u = parseNpy(encodeNpy(Uint8Array.from([0, 255, 7]), [3]));
    expect(u.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(u.data)).toEqual([0, 255, 7]);
  });
});
