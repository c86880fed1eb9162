/**
 * Saving on the device: the requested times strictly inside (t0, t1) live in one preallocated
 * buffer per leaf, `[n, ...leaf]`. After each step every time the step crossed is written from the
 * step's dense output (the tableau's interpolant, else cubic Hermite: as the host loop), with a
 * `tf.where` over the whole buffer, so saving needs no read. Times equal to t0 or t1 are copies of
 * the initial and final state, assembled once at the end.
 */
import * as tf from '@tensorflow/tfjs';
import type { ButcherTableau } from '../rk/tableaus.js';
import { compensatedOf, difference, type CompensatedTime } from './compensated.js';
import type { LaneLayout } from './lanes.js';

/** Where each output entry comes from. */
type Source = { kind: 'initial' } | { kind: 'final' } | { kind: 'interior'; index: number };

/** Cubic Hermite on the vectors [(y1 − y0) / h, f0, f1], as polynomials in θ (coefficients of θ, θ², θ³). */
const HERMITE: readonly (readonly number[])[] = [
  [0, 3, -2],
  [1, -2, 1],
  [0, -1, 1],
];

/** The dense-output weights b_i(θ) = Σ_p C[p][i] θ^(p+1) as a `[degree, vectors]` matrix. */
function coefficientMatrix(rows: readonly (readonly number[])[]): number[][] {
  const degree = Math.max(...rows.map((r) => r.length));
  return Array.from({ length: degree }, (_, p) => rows.map((r) => r[p] ?? 0));
}

/** The times a solve saves, and the buffer of its interior ones. */
export class DeviceSaver {
  /** The saved times, in output order. */
  readonly times: readonly number[];
  private readonly sources: readonly Source[];
  private readonly interior: readonly number[];
  private readonly coeffs: tf.Tensor2D | undefined;
  private readonly degree: number;
  /** Whether the tableau has its own interpolant (else: Hermite on [(y1 − y0)/h, f0, f1]). */
  readonly usesStages: boolean;

  /**
   * @param times - saved times in output order (t0 entries, requested times, t1 entry)
   * @param t0 - start
   * @param t1 - end
   * @param tableau - the method (its dense output, if any)
   */
  constructor(times: readonly number[], t0: number, t1: number, tableau: ButcherTableau) {
    this.times = times;
    const interior: number[] = [];
    this.sources = times.map((t) => {
      if (t === t0) return { kind: 'initial' };
      if (t === t1) return { kind: 'final' };
      interior.push(t);
      return { kind: 'interior', index: interior.length - 1 };
    });
    this.interior = interior;
    this.usesStages = tableau.dense !== undefined;
    const rows = tableau.dense?.coeffs ?? HERMITE;
    const matrix = coefficientMatrix(rows);
    this.degree = matrix.length;
    this.coeffs = interior.length ? tf.tensor2d(matrix) : undefined;
  }

  /** Whether any time needs the dense output (so the loop must keep f1 for Hermite). */
  get needsDense(): boolean {
    return this.interior.length > 0;
  }

  /** The interior times as compensated pairs, `[n]` (undefined when there are none). */
  interiorTimes(): CompensatedTime | undefined {
    return this.interior.length ? compensatedOf(this.interior) : undefined;
  }

  /** Empty buffers (zeros) and the "already written" flags `[n, lanes]`. */
  allocate(y0: readonly tf.Tensor[], layout: LaneLayout): { buffers: tf.Tensor[]; written: tf.Tensor } | undefined {
    const n = this.interior.length;
    if (!n) return undefined;
    return { buffers: y0.map((y) => tf.zeros([n, ...y.shape])), written: tf.zeros([n, layout.lanes], 'bool') };
  }

  /**
   * Write every not yet written time up to the end of an accepted step (per lane).
   *
   * A time is due when the step ends at or past it; one a previous step missed by rounding is
   * written by the next (θ a hair below 0), so none is lost.
   *
   * @param at - the interior times
   * @param state - buffers and flags
   * @param step - the step: start time, signed size h `[lanes]`, which lanes accepted it, the state
   *   at its start, its end state, and the dense vectors (stages, or Hermite's [(y1−y0)/h, f0, f1])
   * @param layout - lanes
   */
  write(
    at: CompensatedTime,
    state: { buffers: readonly tf.Tensor[]; written: tf.Tensor },
    step: {
      t: CompensatedTime;
      h: tf.Tensor1D;
      accepted: tf.Tensor1D;
      y0: readonly tf.Tensor[];
      vectors: readonly (readonly tf.Tensor[])[];
    },
    direction: 1 | -1,
    layout: LaneLayout,
  ): { buffers: tf.Tensor[]; written: tf.Tensor } {
    const n = this.interior.length;
    const L = layout.lanes;
    const pair = (x: CompensatedTime, shape: number[]): CompensatedTime => ({ hi: x.hi.reshape(shape), lo: x.lo.reshape(shape) });
    // δ = t_save − t_start, [n, lanes]; due when δ ≤ h (in the direction of integration).
    const delta = difference(pair(at, [n, 1]), pair(step.t, [1, L]));
    const h = step.h.reshape([1, L]);
    const due = tf.logicalAnd(
      tf.logicalAnd(step.accepted.reshape([1, L]), tf.logicalNot(state.written)),
      tf.lessEqual(tf.mul(tf.sub(delta, h), direction), 0),
    );
    const theta = tf.div(delta, h);
    const powers: tf.Tensor[] = [theta];
    for (let p = 1; p < this.degree; p++) powers.push(tf.mul(powers[p - 1] as tf.Tensor, theta));
    // weights [n, lanes, vectors]
    const weights = tf.matMul(tf.stack(powers, 2).reshape([n * L, this.degree]), this.coeffs as tf.Tensor2D).reshape([n, L, -1]);
    const buffers = step.y0.map((y, leafIndex) => {
      const vs = step.vectors.map((v) => v[leafIndex] as tf.Tensor);
      const buffer = state.buffers[leafIndex] as tf.Tensor;
      let value: tf.Tensor;
      let mask: tf.Tensor;
      if (!layout.perSample) {
        // [n, V] @ [V, size] → [n, size]
        const K = tf.stack(vs.map((v) => v.reshape([-1])));
        const combo = tf.matMul(weights.reshape([n, -1]) as tf.Tensor2D, K as tf.Tensor2D);
        value = tf.add(y.reshape([1, -1]), tf.mul(step.h.reshape([1, 1]), combo)).reshape(buffer.shape);
        mask = due.reshape([n, ...new Array<number>(y.rank).fill(1)]);
      } else {
        // [L, n, V] @ [L, V, m] → [L, n, m] → [n, L, m]
        const K = tf.stack(
          vs.map((v) => v.reshape([L, -1])),
          1,
        ) as tf.Tensor3D;
        const combo = tf.matMul(tf.transpose(weights, [1, 0, 2]) as tf.Tensor3D, K);
        const v = tf.add(y.reshape([L, 1, -1]), tf.mul(step.h.reshape([L, 1, 1]), combo));
        value = tf.transpose(v, [1, 0, 2]).reshape(buffer.shape);
        mask = due.reshape([n, L, ...new Array<number>(Math.max(y.rank - 1, 0)).fill(1)]);
      }
      return tf.where(mask, value, buffer);
    });
    return { buffers, written: tf.logicalOr(state.written, due) };
  }

  /**
   * The saved states stacked `[times, ...leaf]` per leaf (new tensors).
   * @param y0 - the initial state
   * @param yFinal - the final state
   * @param buffers - the interior buffers (or undefined)
   */
  assemble(y0: readonly tf.Tensor[], yFinal: readonly tf.Tensor[], buffers: readonly tf.Tensor[] | undefined): tf.Tensor[] {
    return y0.map((y, leafIndex) => {
      const interior = buffers ? tf.unstack(buffers[leafIndex] as tf.Tensor) : [];
      const parts = this.sources.map((s) =>
        s.kind === 'initial' ? y : s.kind === 'final' ? (yFinal[leafIndex] as tf.Tensor) : (interior[s.index] as tf.Tensor),
      );
      return tf.stack(parts);
    });
  }

  /** Release the coefficient matrix. */
  dispose(): void {
    this.coeffs?.dispose();
  }
}
