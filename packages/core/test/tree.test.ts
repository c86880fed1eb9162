import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks, values } from '@nde/test-utils';
import {
  ShapeError,
  nextTensorId,
  ownedResult,
  treeAxpy,
  treeDispose,
  treeDot,
  treeFlatten,
  treeFromVector,
  treeLinearCombination,
  treeMap,
  treeNorm,
  treeToVector,
  treeUnflatten,
  type Tree,
} from '@nde/core';

describeBackends('tensor trees', () => {
  it('flatten/unflatten round-trips nested objects and arrays (keys sorted)', async () => {
    await expectNoLeaks(async () => {
      const tree = { b: [tf.scalar(1), tf.tensor1d([2, 3])], a: tf.tensor2d([[4]]) };
      const { leaves, def } = treeFlatten(tree);
      expect(leaves.length).toBe(3);
      expect(await values(leaves[0] as tf.Tensor)).toEqual([4]);
      const back = treeUnflatten<typeof tree>(def, leaves);
      expect(back.b[1]).toBe(tree.b[1]);
      treeDispose(tree);
    });
  });

  it('map/axpy/dot/norm compute leafwise and over all leaves', async () => {
    await expectNoLeaks(async () => {
      const x: Tree = { u: tf.tensor1d([3, 0]), v: [tf.tensor1d([4])] };
      const y = treeAxpy(2, x, x); // 3x
      const d = treeDot(x, y); // 3*(9+16)
      const n = treeNorm(x);
      expect(await values(d)).toEqual([75]);
      expect((await values(n))[0]).toBeCloseTo(5, 6);
      const lc = treeLinearCombination(x, [1, -1], [x, y]); // x + x - 3x = -x
      const flat = treeToVector(lc);
      expect(await values(flat)).toEqual([-3, 0, -4]);
      const back = treeFromVector(flat, x);
      expect(await values((back as { v: tf.Tensor[] }).v[0] as tf.Tensor)).toEqual([-4]);
      treeDispose(x, y, d, n, lc, flat, back);
    });
  });

  it('treeMap rejects trees of different structure with ShapeError', () => {
    const a = { p: tf.scalar(1) };
    const b = { q: tf.scalar(1) };
    expect(() => treeMap((x, y) => tf.add(x, y), a, b)).toThrow(ShapeError);
    treeDispose(a, b);
  });

  // Ownership's one assumption about tfjs (ownedResult, the only place that compares tensor ids): ids
  // are handed out in creation order. If a tfjs upgrade breaks it, this fails before any solver does.
  it('tripwire: tensor ids grow in creation order, and ownedResult copies exactly the leaves that existed before', async () => {
    await expectNoLeaks(() => {
      const first = nextTensorId();
      const a = tf.scalar(1);
      const b = tf.scalar(2);
      expect(a.id).toBeGreaterThanOrEqual(first);
      expect(b.id).toBeGreaterThan(a.id);
      expect(nextTensorId()).toBeGreaterThan(b.id);
      const captured = tf.scalar(3);
      const out = ownedResult(() => ({ same: a, made: tf.add(a, b), constant: captured }));
      expect(out.same).not.toBe(a);
      expect(out.constant).not.toBe(captured);
      expect(out.made.id).toBeGreaterThan(captured.id);
      expect(Array.from(out.same.dataSync())).toEqual([1]);
      treeDispose(out, a, b, captured);
    });
  });
});
