/**
 * Gradient checkpointing for a recurrence (a GRU over a sequence, any `h ← step(h)` loop): the forward
 * runs off the tape and keeps only the state at each segment's start; the backward replays one
 * segment at a time under the tape and backpropagates through it. Memory is that of one segment's
 * tape plus the stored states, instead of every step's activations; the cost is one extra forward.
 * The gradients are backprop's (the replay takes the same steps on the same values).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from './errors.js';
import { usedVariables, vjp } from './gradients.js';

/** One step of a recurrence: the next state and this step's output. */
export interface ScanStep {
  /** The state the next step starts from. */
  state: tf.Tensor;
  /** What this step contributes to the stacked result. */
  output: tf.Tensor;
}

/** Options of {@link checkpointedScan}. */
export interface CheckpointedScanOptions {
  /**
   * Step `i` (0 ≤ i < steps) from state `h`. `data` is {@link CheckpointedScanOptions.data} as saved for
   * the backward pass: read per-step inputs from it, not from a closure, since the caller may dispose
   * its own copies before the backward pass runs. It may read variables (they get gradients) but no
   * other tensor that needs one.
   */
  step: (h: tf.Tensor, i: number, data: readonly tf.Tensor[]) => ScanStep;
  /** Number of steps. */
  steps: number;
  /** Initial state (gets a gradient). */
  h0: tf.Tensor;
  /** Tensors the steps read that need no gradient (the sequence's inputs). */
  data?: readonly tf.Tensor[];
  /** Segments the steps are cut into (default ⌈√steps⌉): memory ~ steps/segments steps' activations + segments states. */
  segments?: number;
  /** The variables the step reads (default: found by differentiating one probe step). */
  params?: readonly tf.Variable[];
}

/**
 * Run a recurrence with gradient checkpointing. Returns the outputs stacked in step order,
 * `[steps, ...output shape]` (caller owns it). Differentiable in `h0` and the step's variables.
 * @param options - The step, the number of steps, the initial state, the per-step data, the segments and the variables.
 * @throws InvalidArgumentError when `steps` or `segments` is not a positive integer.
 *
 * @example
 * ```ts
 * // A GRU over xs [T, B, D], backwards in time, with √T segments:
 * const hs = checkpointedScan({
 *   steps: T, h0, data: xs,
 *   step: (h, i, [x]) => { const next = cell.apply(tf.gather(x, T - 1 - i), h); return { state: next, output: next }; },
 * });
 * ```
 */
export function checkpointedScan(options: CheckpointedScanOptions): tf.Tensor {
  const { step, steps, h0 } = options;
  const data = options.data ?? [];
  if (!(Number.isInteger(steps) && steps >= 1)) throw new InvalidArgumentError('steps', `must be an integer ≥ 1 (got ${steps}).`);
  const K = Math.min(steps, options.segments ?? Math.ceil(Math.sqrt(steps)));
  if (!(Number.isInteger(K) && K >= 1)) throw new InvalidArgumentError('segments', `must be an integer ≥ 1 (got ${options.segments}).`);
  const params =
    options.params ??
    usedVariables(() => {
      const s = step(h0, 0, data);
      return [s.state, s.output];
    });
  const bounds = Array.from({ length: K + 1 }, (_, k) => Math.round((k * steps) / K));

  /** Steps bounds[k]..bounds[k+1] from `h`: the final state and the outputs (owned by the caller). */
  const runSegment = (k: number, h: tf.Tensor, d: readonly tf.Tensor[]): { state: tf.Tensor; outputs: tf.Tensor[] } => {
    const outputs: tf.Tensor[] = [];
    let state = h;
    for (let i = bounds[k] as number; i < (bounds[k + 1] as number); i++) {
      const prev = state;
      const r = tf.tidy(() => {
        const s = step(prev, i, d);
        // An output that is also a state (the next one, or the input) gets its own handle: states are
        // freed as the loop moves on, outputs are kept. Clones share the buffer.
        const output = s.output === s.state || s.output === prev ? s.output.clone() : s.output;
        return [s.state, output] as const;
      });
      if (prev !== h && prev !== r[0]) prev.dispose();
      state = r[0];
      outputs.push(r[1]);
    }
    return { state, outputs };
  };

  const op = tf.customGrad(((...xs: unknown[]) => {
    const save = xs[xs.length - 1] as tf.GradSaveFunc;
    const h0In = xs[0] as tf.Tensor;
    // Off the tape (inside a custom op nothing is recorded): keep each segment's starting state.
    const starts: tf.Tensor[] = [];
    const all: tf.Tensor[] = [];
    let h = h0In;
    for (let k = 0; k < K; k++) {
      if (k > 0) starts.push(h);
      const { state, outputs } = runSegment(k, h, data);
      all.push(...outputs);
      h = state;
    }
    if (h !== h0In && !starts.includes(h)) h.dispose();
    const value = tf.stack(all);
    tf.dispose(all);
    save([h0In, ...starts, ...data]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const savedStarts = saved.slice(0, K);
        const savedData = saved.slice(K);
        // The saved h0, not the caller's: the caller may have disposed its h0 before the backward pass.
        let carry: tf.Tensor = tf.zerosLike(savedStarts[0] as tf.Tensor);
        let acc: tf.Tensor[] = params.map((p) => tf.zerosLike(p));
        for (let k = K - 1; k >= 0; k--) {
          const b0 = bounds[k] as number;
          const len = (bounds[k + 1] as number) - b0;
          const start = savedStarts[k] as tf.Tensor;
          const grads = tf.tidy(() => {
            const dySeg = tf.slice(dy, [b0], [len]);
            return vjp(() => {
              const { state, outputs } = runSegment(k, start, savedData);
              return tf.add(tf.sum(tf.mul(tf.stack(outputs), dySeg)), tf.sum(tf.mul(state, carry)));
            }, [start, ...params]);
          });
          carry.dispose();
          carry = grads[0] as tf.Tensor;
          const next = acc.map((a, j) => tf.add(a, grads[j + 1] as tf.Tensor));
          tf.dispose([...acc, ...grads.slice(1)]);
          acc = next;
        }
        return [carry, ...acc];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(h0, ...params) as tf.Tensor;
}
