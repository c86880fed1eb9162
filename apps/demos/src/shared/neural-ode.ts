/**
 * A small neural ODE dy/dt = MLP(features(y)) trained on trajectory data through `solve`
 * (discretise-then-optimise: `tf.variableGrads` differentiates through the solver's operations).
 * Browser-safe: only tfjs, @nde/core and @nde/solvers.
 */
import * as tf from '@tensorflow/tfjs';
import { MLP } from '@nde/core';
import { valueAndGradsAsync } from '@nde/adjoint';
import { ConstantStepSize, ODETerm, PIDController, solve, solveAsync, type SolveOptions } from '@nde/solvers';

/** Input features of the vector field: `cube` is y³ (torchdiffeq's ode_demo), `identity` is y. */
export type Features = 'cube' | 'identity';

/** Options of {@link NeuralODE}. */
export interface NeuralODEOptions {
  hidden?: number;
  features?: Features;
  seed?: number;
  /** 'dopri5' (adaptive, default) or a fixed-step method with `dt`. */
  method?: 'dopri5' | 'tsit5' | 'rk4' | 'euler';
  rtol?: number;
  atol?: number;
  /** Step of fixed-step methods. */
  dt?: number;
}

/** Trajectory data: `ys[i]` is the state at `ts[i]`, flattened `[n, 2]`. */
export interface Trajectory {
  ts: number[];
  ys: Float32Array;
}

/** Vector field sampled on a grid, for quiver plots. */
export interface FieldSample {
  xs: number[];
  ys: number[];
  u: ArrayLike<number>;
  v: ArrayLike<number>;
}

export class NeuralODE {
  readonly mlp: MLP;
  readonly features: Features;
  readonly options: Required<Omit<NeuralODEOptions, 'seed' | 'hidden' | 'features'>>;
  readonly term: ODETerm<tf.Tensor>;

  constructor(o: NeuralODEOptions = {}) {
    const hidden = o.hidden ?? 50;
    this.mlp = new MLP({ sizes: [2, hidden, 2], activation: 'tanh', seed: o.seed ?? 0 });
    this.features = o.features ?? 'cube';
    this.options = { method: o.method ?? 'dopri5', rtol: o.rtol ?? 1e-3, atol: o.atol ?? 1e-4, dt: o.dt ?? 0.05 };
    this.term = new ODETerm((_t: number, y: tf.Tensor) => this.vf(y));
  }

  /** dy/dt at states `y: [batch, 2]`. */
  vf(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.mlp.apply(this.features === 'cube' ? tf.pow(y, 3) : y));
  }

  private solveOptions(y0: tf.Tensor, ts: readonly number[]): SolveOptions<tf.Tensor> {
    const { method, rtol, atol, dt } = this.options;
    const t0 = ts[0] as number;
    const t1 = ts[ts.length - 1] as number;
    const adaptive = method === 'dopri5' || method === 'tsit5';
    return {
      terms: this.term,
      solver: method,
      t0,
      t1,
      y0,
      saveAt: { ts },
      ...(adaptive ? { stepSizeController: new PIDController({ rtol, atol }) } : { dt0: dt, stepSizeController: new ConstantStepSize() }),
    };
  }

  /** States at `ts` from `y0: [batch, 2]` → `[ts.length, batch, 2]`, and the NFE. Sync reads (cpu, wasm, webgl). */
  predict(y0: tf.Tensor, ts: readonly number[]): { ys: tf.Tensor; nfe: number } {
    const sol = solve(this.solveOptions(y0, ts));
    return { ys: sol.ys as tf.Tensor, nfe: sol.stats.nfe };
  }

  /** {@link predict} with async reads (any backend, including WebGPU). */
  async predictAsync(y0: tf.Tensor, ts: readonly number[]): Promise<{ ys: tf.Tensor; nfe: number }> {
    const sol = await solveAsync(this.solveOptions(y0, ts));
    return { ys: sol.ys as tf.Tensor, nfe: sol.stats.nfe };
  }

  /**
   * One optimiser step on a minibatch: `y0: [batch, 2]`, `target: [ts.length, batch, 2]`, loss = mean |pred − target|.
   * Gradients flow through `solve` (tf.variableGrads). Needs a backend with synchronous reads.
   */
  trainStep(optimizer: tf.Optimizer, y0: tf.Tensor, ts: readonly number[], target: tf.Tensor): { loss: number; nfe: number } {
    let nfe = 0;
    const vars = this.mlp.parameters();
    const { value, grads } = tf.variableGrads(() => {
      const { ys, nfe: n } = this.predict(y0, ts);
      nfe = n;
      return tf.mean(tf.abs(tf.sub(ys, target))) as tf.Scalar;
    }, vars);
    optimizer.applyGradients(grads);
    const loss = value.dataSync()[0] as number;
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
    return { loss, nfe };
  }

  /**
   * {@link trainStep} without a single synchronous read (WebGPU): `@nde/adjoint`'s `valueAndGradsAsync`
   * finds the step grid with async reads, then differentiates a read-free replay of the solve.
   */
  async trainStepAsync(
    optimizer: tf.Optimizer,
    y0: tf.Tensor,
    ts: readonly number[],
    target: tf.Tensor,
  ): Promise<{ loss: number; nfe: number }> {
    const r = await valueAndGradsAsync({
      loss: (ys: tf.Tensor) => tf.mean(tf.abs(tf.sub(ys, target))),
      solveOptions: this.solveOptions(y0, ts),
      params: this.mlp,
      timeGrads: false,
    });
    optimizer.applyGradients(r.grads.variables);
    const loss = (await r.value.data())[0] as number;
    const nfe = r.stats.nfe;
    r.dispose();
    return { loss, nfe };
  }

  /** The vector field on an n×n grid over [lo, hi]². */
  async field(lo: number, hi: number, n: number): Promise<FieldSample> {
    const xs = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
    const pts = tf.tensor2d(
      xs.flatMap((y) => xs.flatMap((x) => [x, y])),
      [n * n, 2],
    );
    const f = this.vf(pts);
    const data = (await f.data()) as Float32Array;
    pts.dispose();
    f.dispose();
    const u = new Float32Array(n * n);
    const v = new Float32Array(n * n);
    for (let i = 0; i < n * n; i++) {
      u[i] = data[2 * i] as number;
      v[i] = data[2 * i + 1] as number;
    }
    return { xs, ys: xs.slice(), u, v };
  }

  dispose(): void {
    this.mlp.dispose();
  }
}

/** Random minibatch of short windows of a trajectory (torchdiffeq's get_batch). */
export function sampleBatch(
  data: Trajectory,
  batchSize: number,
  batchTime: number,
  rng: () => number,
): { y0: tf.Tensor2D; ts: number[]; target: tf.Tensor3D } {
  const n = data.ts.length;
  const starts = Array.from({ length: batchSize }, () => Math.floor(rng() * (n - batchTime)));
  const y0 = new Float32Array(batchSize * 2);
  const target = new Float32Array(batchTime * batchSize * 2);
  starts.forEach((s, b) => {
    y0.set(data.ys.subarray(2 * s, 2 * s + 2), 2 * b);
    for (let k = 0; k < batchTime; k++) target.set(data.ys.subarray(2 * (s + k), 2 * (s + k) + 2), 2 * (k * batchSize + b));
  });
  const t0 = data.ts[0] as number;
  const ts = data.ts.slice(0, batchTime).map((t) => t - t0);
  return { y0: tf.tensor2d(y0, [batchSize, 2]), ts, target: tf.tensor3d(target, [batchTime, batchSize, 2]) };
}
