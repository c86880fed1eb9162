/**
 * Device-resident loop against the ordinary loop, shared by the cpu/wasm suite and the WebGPU one:
 * the same problem solved both ways with `solveAsync`, and what differs.
 */
import * as tf from '@tensorflow/tfjs';
import type { MLP } from '@nde/core';
import { expect } from 'vitest';
import { parityMlp } from '@nde/test-utils';
import { PIDController, solveAsync, TensorTimeODETerm, type MethodName, type Solution } from '@nde/solvers';

/** A classic problem with a field that takes tensor time. */
export interface DeviceCase {
  readonly name: string;
  readonly vf: (t: tf.Tensor, y: tf.Tensor) => tf.Tensor;
  readonly y0: () => tf.Tensor;
  readonly solver: MethodName;
  readonly t0: number;
  readonly t1: number;
  readonly rtol: number;
  readonly atol: number;
  /** A first step, where Hairer's would be far inside the tolerance (its error estimate mostly rounding). */
  readonly dt0?: number;
}

const pair = (y: tf.Tensor): [tf.Tensor, tf.Tensor] => tf.unstack(y) as [tf.Tensor, tf.Tensor];

/** y' = cos(t) y (forward and backward), Lotka–Volterra, Van der Pol (μ = 1), and a forced decay with Heun (non-FSAL, Hermite saving). */
export const CLASSIC: readonly DeviceCase[] = [
  {
    name: 'cos(t)·y',
    vf: (t, y) => tf.mul(tf.cos(t), y),
    y0: () => tf.tensor1d([1, 2]),
    solver: 'dopri5',
    t0: 0,
    t1: 10,
    rtol: 1e-4,
    atol: 1e-6,
    dt0: 0.3,
  },
  {
    name: 'cos(t)·y backward',
    vf: (t, y) => tf.mul(tf.cos(t), y),
    y0: () => tf.tensor1d([1, 2]),
    solver: 'dopri5',
    t0: 10,
    t1: 0,
    rtol: 1e-4,
    atol: 1e-6,
  },
  {
    name: 'Lotka–Volterra',
    vf: (_t, y) => {
      const [a, b] = pair(y);
      return tf.stack([tf.sub(tf.mul(1.5, a), tf.mul(a, b)), tf.add(tf.mul(-3, b), tf.mul(a, b))]);
    },
    y0: () => tf.tensor1d([1, 1]),
    solver: 'tsit5',
    t0: 0,
    t1: 15,
    rtol: 1e-5,
    atol: 1e-7,
  },
  {
    name: 'Van der Pol',
    vf: (_t, y) => {
      const [a, b] = pair(y);
      return tf.stack([b, tf.sub(tf.mul(tf.sub(1, tf.square(a)), b), a)]);
    },
    y0: () => tf.tensor1d([2, 0]),
    solver: 'bosh3',
    t0: 0,
    t1: 10,
    rtol: 1e-4,
    atol: 1e-6,
  },
  {
    name: 'forced decay',
    vf: (t, y) => tf.add(tf.neg(y), tf.sin(t)),
    y0: () => tf.tensor1d([1, 0.5]),
    solver: 'heun',
    t0: 0,
    t1: 5,
    rtol: 1e-3,
    atol: 1e-5,
  },
];

/** The neural-ODE parity problem as a device case, and its float64 answer. */
export function parityProblem(): { mlp: MLP; case: DeviceCase; reference: number[] } {
  const { mlp, y0, reference } = parityMlp();
  return {
    mlp,
    case: { name: 'neural-ODE parity', vf: (_t, y) => mlp.apply(y), y0, solver: 'dopri5', t0: 0, t1: 1, rtol: 1e-3, atol: 1e-4 },
    reference,
  };
}

/** What a comparison found. */
export interface Comparison {
  readonly host: Solution<tf.Tensor>;
  readonly device: Solution<tf.Tensor>;
  /** Accepted step ends of the ordinary loop. */
  readonly grid: number[];
  /** Largest |Δt| / max(1, |t|) between the two grids (NaN if their lengths differ). */
  readonly gridGap: number;
  /** Largest |Δy| over the saved states. */
  readonly stateGap: number;
}

/** Solve one case both ways, saving at 7 times; the caller disposes both solutions. */
export async function compare(c: DeviceCase, readEvery: number | 'auto' = 8): Promise<Comparison> {
  const y0 = c.y0();
  const grid: number[] = [];
  const ts = Array.from({ length: 7 }, (_, i) => c.t0 + ((c.t1 - c.t0) * i) / 6);
  const base = {
    terms: new TensorTimeODETerm(c.vf),
    solver: c.solver,
    t0: c.t0,
    t1: c.t1,
    y0,
    stepSizeController: new PIDController({ rtol: c.rtol, atol: c.atol }),
    saveAt: { ts },
    ...(c.dt0 !== undefined ? { dt0: c.dt0 } : {}),
  };
  try {
    const host = await solveAsync({ ...base, onStep: (t) => grid.push(t) });
    const device = await solveAsync({ ...base, onDevice: { readEvery } });
    const st = device.stepTimes ?? [];
    const gridGap =
      grid.length === st.length ? Math.max(...grid.map((g, i) => Math.abs(g - (st[i] as number)) / Math.max(1, Math.abs(g)))) : NaN;
    const a = await (host.ys as tf.Tensor).data();
    const b = await (device.ys as tf.Tensor).data();
    const stateGap = Math.max(...Array.from(a).map((v, i) => Math.abs(v - (b[i] as number))));
    return { host, device, grid, gridGap, stateGap };
  } finally {
    y0.dispose();
  }
}

/**
 * The checks every backend runs on a case: the ordinary loop's accepted and rejected steps, grids
 * within `gridGap` (float32 rounding of the error estimates), saved states within 1e-4, t1 reached
 * exactly, at most ceil(steps / k) + 1 reads and fewer than k wasted steps, no leaks.
 */
export async function expectSameSteps(c: DeviceCase, k: number, label: string, gridBound = 5e-2): Promise<void> {
  const before = tf.memory().numTensors;
  const { host, device, gridGap, stateGap } = await compare(c, k);
  const s = device.stats;
  console.log(
    `${label}${c.name}: host ${host.stats.accepted}/${host.stats.rejected} (${host.stats.hostReads} reads), device ${s.accepted}/${s.rejected} (${s.hostReads} reads, ${s.wastedSteps} wasted), grid gap ${gridGap.toExponential(1)}, state gap ${stateGap.toExponential(1)}`,
  );
  expect(s.accepted).toBe(host.stats.accepted);
  expect(s.rejected).toBe(host.stats.rejected);
  expect(gridGap).toBeLessThan(gridBound);
  expect(stateGap).toBeLessThan(1e-4);
  expect(device.stepTimes?.at(-1)).toBe(c.t1);
  expect(s.hostReads).toBeLessThanOrEqual(Math.ceil(s.steps / k) + 1);
  expect(s.wastedSteps).toBeLessThan(k);
  host.dispose();
  device.dispose();
  expect(tf.memory().numTensors).toBe(before);
}

/** The parity problem device-resident: the ordinary loop's steps, y(1) within 1e-4 of float64, one read, no leaks. */
export async function expectParity(): Promise<void> {
  const { mlp, case: c, reference } = parityProblem();
  const before = tf.memory().numTensors;
  const { host, device } = await compare(c, 8);
  expect(device.stats.accepted).toBe(host.stats.accepted);
  expect(device.stats.rejected).toBe(host.stats.rejected);
  const ys = await (device.ys as tf.Tensor).data();
  const last = Array.from(ys).slice(ys.length - reference.length);
  expect(Math.max(...reference.map((v, i) => Math.abs(v - (last[i] as number))))).toBeLessThan(1e-4);
  expect(device.stats.hostReads).toBe(1);
  host.dispose();
  device.dispose();
  expect(tf.memory().numTensors).toBe(before);
  mlp.dispose();
}
