/**
 * The device-resident loop in a browser backend (the playground's e2e test runs it on WebGL):
 * Van der Pol solved by the ordinary async loop and by the device-resident one, and a short fit
 * trained through the device-resident forward. Browser-safe: tfjs, @nde/core, @nde/solvers, @nde/adjoint.
 */
import * as tf from '@tensorflow/tfjs';
import { MLP } from '@nde/core';
import { valueAndGradsAsync } from '@nde/adjoint';
import { PIDController, TensorTimeODETerm, solveAsync, type SolveStats } from '@nde/solvers';

/** What the check found. */
export interface DeviceCheck {
  readonly backend: string;
  readonly ordinary: Pick<SolveStats, 'accepted' | 'rejected' | 'hostReads'>;
  readonly device: Pick<SolveStats, 'accepted' | 'rejected' | 'hostReads' | 'wastedSteps'>;
  /** Largest |Δy(t1)| between the two. */
  readonly gap: number;
  /** Loss of each training iteration through the device-resident forward. */
  readonly losses: number[];
  /** Host reads of each training iteration. */
  readonly trainReads: number[];
  /** Live tensors after minus before. */
  readonly leaked: number;
}

const vanDerPol = new TensorTimeODETerm((_t: tf.Tensor, y: tf.Tensor) =>
  tf.tidy(() => {
    const [a, b] = tf.unstack(y, 1) as [tf.Tensor, tf.Tensor];
    return tf.stack([b, tf.sub(tf.mul(tf.sub(1, tf.square(a)), b), a)], 1);
  }),
);

/**
 * Run the check on the current backend.
 * @param iterations - training iterations
 */
export async function runDeviceCheck(iterations = 8): Promise<DeviceCheck> {
  const before = tf.memory().numTensors;
  const y0 = tf.tensor2d([[2, 0]]);
  const base = { terms: vanDerPol, solver: 'bosh3', t0: 0, t1: 10, y0, stepSizeController: new PIDController({ rtol: 1e-4, atol: 1e-6 }) };
  const ordinary = await solveAsync(base);
  const device = await solveAsync({ ...base, onDevice: { readEvery: 8 } });
  const a = await (ordinary.ys as tf.Tensor).data();
  const b = await (device.ys as tf.Tensor).data();
  const gap = Math.max(...Array.from(a).map((v, i) => Math.abs(v - (b[i] as number))));
  const pick = (s: SolveStats) => ({ accepted: s.accepted, rejected: s.rejected, hostReads: s.hostReads });
  const result = { ordinary: pick(ordinary.stats), device: { ...pick(device.stats), wastedSteps: device.stats.wastedSteps } };
  ordinary.dispose();
  device.dispose();
  y0.dispose();

  // y(2) = R(1.6) y0: a rotation learned through the device-resident forward.
  const mlp = new MLP({ sizes: [2, 16, 2], activation: 'tanh', seed: 3 });
  const x0 = tf.randomNormal([32, 2], 0, 1, 'float32', 5);
  const target = tf.tidy(() => tf.matMul(x0, tf.tensor2d([Math.cos(1.6), Math.sin(1.6), -Math.sin(1.6), Math.cos(1.6)], [2, 2])));
  const opt = tf.train.adam(2e-2);
  const losses: number[] = [];
  const trainReads: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const r = await valueAndGradsAsync({
      loss: (ys) => tf.mean(tf.square(tf.sub(ys, target))),
      solveOptions: {
        terms: new TensorTimeODETerm((_t: tf.Tensor, y: tf.Tensor) => mlp.apply(y)),
        solver: 'dopri5',
        t0: 0,
        t1: 2,
        y0: x0,
        stepSizeController: new PIDController({ rtol: 1e-5, atol: 1e-7 }),
        onDevice: { readEvery: 4 },
      },
      params: mlp,
    });
    opt.applyGradients(r.grads.variables);
    losses.push((await r.value.data())[0] as number);
    trainReads.push(r.stats.hostReads);
    r.dispose();
  }
  opt.dispose();
  mlp.dispose();
  tf.dispose([x0, target]);
  return { backend: tf.getBackend(), ...result, gap, losses, trainReads, leaked: tf.memory().numTensors - before };
}
