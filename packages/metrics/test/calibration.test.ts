import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeaks } from '@nde/test-utils';
import {
  brierScore,
  expectedCalibrationError,
  maxCalibrationError,
  negativeLogLikelihood,
  predictiveEntropy,
  reliabilityDiagram,
  reliabilityDiagramSvg,
  seededRandom,
} from '../src/index.js';

/** Binary predictions with top-label confidence c ~ U(0.5, 1) and P(correct | c) = accuracy(c). */
function synthetic(n: number, seed: number, accuracy: (c: number) => number): { probs: number[][]; labels: number[] } {
  const rand = seededRandom(seed);
  const probs: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = 0.5 + 0.5 * rand();
    const predicted = rand() < 0.5 ? 0 : 1;
    probs.push(predicted === 0 ? [c, 1 - c] : [1 - c, c]);
    labels.push(rand() < accuracy(c) ? predicted : 1 - predicted);
  }
  return { probs, labels };
}

describeBackends('calibration', () => {
  it('ECE ≈ 0 for a perfectly calibrated synthetic predictor (equal-width and equal-mass bins)', async () => {
    const { probs, labels } = synthetic(100_000, 1, (c) => c);
    await expectNoLeaks(async () => {
      const p = tf.tensor2d(probs);
      const y = tf.tensor1d(labels, 'int32');
      expect(await expectedCalibrationError(p, y)).toBeLessThan(0.01);
      expect(await expectedCalibrationError(p, y, { binning: 'equal-mass' })).toBeLessThan(0.01);
      p.dispose();
      y.dispose();
    });
  });

  it('ECE of an overconfident predictor equals its analytic value E|c − a(c)| = 0.125', async () => {
    // a(c) = 0.5 + (c − 0.5)/2 ⇒ c − a(c) = (c − 0.5)/2 ≥ 0, E over U(0.5,1) = 0.125; signs agree in every bin so binning is exact.
    const { probs, labels } = synthetic(200_000, 2, (c) => 0.5 + (c - 0.5) / 2);
    expect(await expectedCalibrationError(probs, labels)).toBeCloseTo(0.125, 2);
    expect(await expectedCalibrationError(probs, labels, { binning: 'equal-mass', bins: 20 })).toBeCloseTo(0.125, 2);
    // MCE: the top bin (c ∈ (14/15, 1]) has mean gap (c̄ − 0.5)/2 with c̄ = 29/30.
    expect(await maxCalibrationError(probs, labels)).toBeCloseTo((29 / 30 - 0.5) / 2, 2);
  });

  it('exact values on a deterministic set: confidence 0.9, 70 % correct → ECE = MCE = 0.2', async () => {
    const probs = Array.from({ length: 10 }, () => [0.9, 0.05, 0.05]);
    const labels = [0, 0, 0, 0, 0, 0, 0, 1, 2, 1];
    const d = await reliabilityDiagram(probs, labels, { bins: 10 });
    expect(d.ece).toBeCloseTo(0.2, 12);
    expect(d.mce).toBeCloseTo(0.2, 12);
    expect(d.bins[8]).toMatchObject({ count: 10 });
    expect(d.bins[8]!.accuracy).toBeCloseTo(0.7, 12);
    const svg = reliabilityDiagramSvg(d);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/class="accuracy"/g)).toHaveLength(1);
  });

  it('NLL, Brier and predictive entropy', async () => {
    expect(
      await negativeLogLikelihood(
        [
          [0.5, 0.5],
          [0.25, 0.75],
        ],
        [0, 1],
      ),
    ).toBeCloseTo((Math.LN2 - Math.log(0.75)) / 2, 12);
    expect(
      await brierScore(
        [
          [1, 0],
          [0.5, 0.5],
        ],
        [0, 1],
      ),
    ).toBeCloseTo(0.25, 12);
    expect(await brierScore([0.8, 0.3], [1, 0], { binary: true })).toBeCloseTo((0.04 + 0.09) / 2, 12);
    const h = await predictiveEntropy(
      tf.tensor2d([
        [0.25, 0.25, 0.25, 0.25],
        [1, 0, 0, 0],
      ]),
    );
    expect(h[0]!).toBeCloseTo(Math.log(4), 6);
    expect(h[1]!).toBe(0);
  });

  it('clear errors: rows not summing to 1, labels out of range, wrong label count, bad bins', async () => {
    await expect(expectedCalibrationError([[0.6, 0.6]], [0])).rejects.toThrow(/`probs`: row 0 sums to 1\.2/);
    await expect(expectedCalibrationError([[0.5, 0.5]], [2])).rejects.toThrow(/`labels`: entry 0 is 2/);
    await expect(expectedCalibrationError([[0.5, 0.5]], [0, 1])).rejects.toThrow(/`labels`: has 2 labels for 1 predictions/);
    await expect(expectedCalibrationError([[0.5, 0.5]], [0], { bins: 0 })).rejects.toThrow(/`bins`/);
    const t = tf.zeros([2, 2, 2]);
    await expect(negativeLogLikelihood(t, [0, 1])).rejects.toThrow(/expected \[n, classes\]/);
    t.dispose();
  });
});
