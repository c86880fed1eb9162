/**
 * Training through the device-resident forward (`valueAndGradsAsync` with `solveOptions.onDevice`):
 * the forward reads once every k steps and learns its step grid from those reads, the replay under
 * the tape reads nothing, and the gradients are those of the ordinary path.
 */
import * as tf from '@tensorflow/tfjs';
import { MLP, UnsupportedError } from '@nde/core';
import { expect, it } from 'vitest';
import { describeBackends, describeWebGpu } from '@nde/test-utils';
import { PIDController, TensorTimeODETerm, type SolveOptions } from '@nde/solvers';
import { BacksolveAdjoint, valueAndGrads, valueAndGradsAsync } from '../src/index.js';
import { countingDataSync, maxRel, parityProblem, torchGrad } from './helpers/problems.js';

/** The parity problem with a field that takes tensor time (it ignores it). */
function deviceParity(): ReturnType<typeof parityProblem> & { device: SolveOptions<tf.Tensor> } {
  const p = parityProblem();
  const device: SolveOptions<tf.Tensor> = {
    ...p.options,
    terms: new TensorTimeODETerm((_t: tf.Tensor, y: tf.Tensor) => p.mlp.apply(y)),
    onDevice: { readEvery: 8 },
  };
  return { ...p, device };
}

/** y' = −λ y + MLP(y) with λ = 0.5, 2, 8, 32 per sample (so their step grids differ), per-sample and one sample alone. */
function perSampleProblem(): {
  mlp: MLP;
  lambdas: tf.Tensor;
  y0: tf.Tensor;
  perSample: SolveOptions<tf.Tensor, tf.Tensor>;
  alone: (b: number) => SolveOptions<tf.Tensor, tf.Tensor>;
  dispose(): void;
} {
  const mlp = new MLP({ sizes: [2, 16, 2], activation: 'tanh', seed: 11 });
  const lambdas = tf.tensor2d([0.5, 2, 8, 32], [4, 1]);
  const y0 = tf.randomNormal([4, 2], 0, 1, 'float32', 12);
  const base: SolveOptions<tf.Tensor, tf.Tensor> = {
    terms: new TensorTimeODETerm((_t: tf.Tensor, y: tf.Tensor, l: tf.Tensor) => tf.sub(mlp.apply(y), tf.mul(l, y))),
    solver: 'dopri5',
    t0: 0,
    t1: 2,
    y0,
    args: lambdas,
    dt0: 0.01,
    stepSizeController: new PIDController({ rtol: 1e-5, atol: 1e-7 }),
  };
  return {
    mlp,
    lambdas,
    y0,
    perSample: { ...base, onDevice: { perSample: true, readEvery: 'auto' } },
    alone: (b) => ({ ...base, y0: tf.slice(y0, [b, 0], [1, 2]), args: tf.slice(lambdas, [b, 0], [1, 1]) }),
    dispose: () => (mlp.dispose(), tf.dispose([lambdas, y0])),
  };
}

/** Fit y(4) = R(3.2) y0 (a rotation at 0.8 rad per unit time) with an MLP field for `iterations` Adam steps; the losses and the reads. */
async function fitRotation(iterations: number): Promise<{ losses: number[]; reads: number[]; steps: number[]; leaked: number }> {
  const mlp = new MLP({ sizes: [2, 16, 2], activation: 'tanh', seed: 3 });
  const y0 = tf.randomNormal([32, 2], 0, 1, 'float32', 5);
  const [c, s] = [Math.cos(3.2), Math.sin(3.2)];
  const target = tf.tidy(() => tf.matMul(y0, tf.tensor2d([c, s, -s, c], [2, 2])));
  const opt = tf.train.adam(2e-2);
  const solveOptions: SolveOptions<tf.Tensor> = {
    terms: new TensorTimeODETerm((_t: tf.Tensor, y: tf.Tensor) => mlp.apply(y)),
    solver: 'dopri5',
    t0: 0,
    t1: 4,
    y0,
    stepSizeController: new PIDController({ rtol: 1e-6, atol: 1e-7 }),
    onDevice: { readEvery: 4 },
  };
  const losses: number[] = [];
  const reads: number[] = [];
  const steps: number[] = [];
  let live = 0;
  for (let i = 0; i < iterations; i++) {
    const r = await valueAndGradsAsync({ loss: (ys) => tf.mean(tf.square(tf.sub(ys, target))), solveOptions, params: mlp });
    opt.applyGradients(r.grads.variables);
    losses.push((await r.value.data())[0] as number);
    reads.push(r.stats.hostReads);
    steps.push(r.stats.steps);
    r.dispose();
    if (i === 1) live = tf.memory().numTensors;
  }
  const leaked = tf.memory().numTensors - live;
  opt.dispose();
  mlp.dispose();
  tf.dispose([y0, target]);
  return { losses, reads, steps, leaked };
}

describeBackends('training through the device-resident forward', () => {
  it('parity problem: gradients equal the ordinary path (and torch’s float32 backprop), no dataSync, no leaks', async () => {
    const p = deviceParity();
    const opts = { loss: (ys: tf.Tensor) => tf.sum(ys), params: p.mlp };
    const sync = valueAndGrads({ ...opts, solveOptions: p.options });
    const before = tf.memory().numTensors;
    const { result: r, calls } = await countingDataSync(() => valueAndGradsAsync({ ...opts, solveOptions: p.device }));
    expect(calls).toBe(0);
    const { max } = await maxRel(r.grads.params, sync.grads.params);
    const torch = Math.max(
      ...(await Promise.all(
        Object.entries(r.grads.params).map(async ([name, g]) => {
          const ref = torchGrad(p.ref, name);
          const got = await g.data();
          return Math.max(...ref.map((v, i) => Math.abs(v - (got[i] as number)) / Math.max(1e-3, Math.abs(v))));
        }),
      )),
    );
    console.log(
      `device forward: ${r.stats.hostReads} reads for ${r.stats.steps} steps; max rel gap to sync ${max.toExponential(2)}, to torch ${torch.toExponential(2)}`,
    );
    expect(max).toBeLessThan(1e-5);
    expect(torch).toBeLessThan(1e-3);
    expect(r.stats.hostReads).toBe(1);
    r.dispose();
    expect(tf.memory().numTensors).toBe(before);
    sync.dispose();
    p.dispose();
  });

  it('30 Adam steps fitting a rotation: the loss falls 5×, one read per 4 steps, live tensors constant', async () => {
    const { losses, reads, steps, leaked } = await fitRotation(30);
    console.log(
      `fit: loss ${losses[0]?.toFixed(4)} → ${losses.at(-1)?.toFixed(4)}; reads/steps ${reads.slice(0, 3).join(',')}…/${steps.slice(0, 3).join(',')}…`,
    );
    expect(losses.at(-1) as number).toBeLessThan((losses[0] as number) / 5);
    reads.forEach((n, i) => expect(n).toBeLessThanOrEqual(Math.ceil((steps[i] as number) / 4) + 1));
    expect(leaked).toBe(0);
  });

  it('per-sample step sizes: gradients equal the sum of each sample trained alone (own grids), a few reads for the lot', async () => {
    const p = perSampleProblem();
    const loss = (ys: tf.Tensor): tf.Tensor => tf.sum(tf.square(ys));
    const before = tf.memory().numTensors;
    const r = await valueAndGradsAsync({ loss, params: p.mlp, solveOptions: p.perSample, timeGrads: false });
    const sums: Record<string, number[]> = {};
    const steps: number[] = [];
    for (let b = 0; b < 4; b++) {
      const solveOptions = p.alone(b);
      const one = await valueAndGradsAsync({ loss, params: p.mlp, solveOptions, timeGrads: false });
      steps.push(one.stats.steps);
      for (const [name, g] of Object.entries(one.grads.params)) {
        const v = Array.from(await g.data());
        sums[name] = sums[name] ? (sums[name] as number[]).map((x, i) => x + (v[i] as number)) : v;
      }
      one.dispose();
      tf.dispose([solveOptions.y0, solveOptions.args as tf.Tensor]);
    }
    let worst = 0;
    for (const [name, g] of Object.entries(r.grads.params)) {
      const got = await g.data();
      const ref = sums[name] as number[];
      const scale = Math.max(...ref.map(Math.abs));
      ref.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (got[i] as number)) / scale)));
    }
    console.log(
      `per-sample training: ${r.stats.hostReads} reads; steps alone ${steps.join(', ')}; worst gradient gap ${worst.toExponential(2)}`,
    );
    expect(worst).toBeLessThan(1e-4);
    expect(r.stats.hostReads).toBeLessThanOrEqual(6);
    r.dispose();
    expect(tf.memory().numTensors).toBe(before);
    p.dispose();
  });

  it('per-sample with an adjoint other than DirectAdjoint is refused, with the way out', async () => {
    const p = perSampleProblem();
    await expect(
      valueAndGradsAsync({
        loss: (ys: tf.Tensor) => tf.sum(ys),
        params: p.mlp,
        solveOptions: p.perSample,
        adjoint: new BacksolveAdjoint(),
      }),
    ).rejects.toThrow(UnsupportedError);
    p.dispose();
  });
});

await describeWebGpu('training through the device-resident forward', () => {
  it('parity gradients equal the ordinary async path on WebGPU', async () => {
    const p = deviceParity();
    const opts = { loss: (ys: tf.Tensor) => tf.sum(ys), params: p.mlp };
    const ordinary = await valueAndGradsAsync({ ...opts, solveOptions: p.options });
    const device = await valueAndGradsAsync({ ...opts, solveOptions: p.device });
    const { max } = await maxRel(device.grads.params, ordinary.grads.params);
    console.log(`webgpu: reads ${device.stats.hostReads} vs ${ordinary.stats.hostReads}; max rel gap ${max.toExponential(2)}`);
    expect(max).toBeLessThan(1e-5);
    expect(device.stats.hostReads).toBeLessThan(ordinary.stats.hostReads);
    device.dispose();
    ordinary.dispose();
    p.dispose();
  });

  it('10 Adam steps on WebGPU: the loss falls, one read per 4 steps, live tensors constant', async () => {
    const { losses, reads, steps, leaked } = await fitRotation(10);
    console.log(`webgpu fit: loss ${losses[0]?.toFixed(4)} → ${losses.at(-1)?.toFixed(4)}`);
    expect(losses.at(-1) as number).toBeLessThan((losses[0] as number) / 2);
    reads.forEach((n, i) => expect(n).toBeLessThanOrEqual(Math.ceil((steps[i] as number) / 4) + 1));
    expect(leaked).toBe(0);
  });
});
