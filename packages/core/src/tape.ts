/**
 * The one home of tfjs's private gradient-tape state: whether it is recording ({@link tapeOn}),
 * pausing it ({@link untaped}), and restoring it around nested gradients ({@link withOuterTape}).
 * tfjs 4's `engine.gradients` resets and then nulls the engine's `state.activeTape`, so an outer
 * recording (or backward pass) would crash on `null.forEach` without the restore.
 */
import * as tf from '@tensorflow/tfjs';

interface EngineTapeState {
  activeTape: { saved?: tf.Tensor[] }[] | null;
  gradientDepth: number;
  kernelDepth: number;
}

const engineState = (): EngineTapeState => tf.engine().state as unknown as EngineTapeState;

/** True while tfjs records operations for gradients (inside `tf.grads`, `variableGrads`, …). */
export function tapeOn(): boolean {
  const s = engineState();
  return s.gradientDepth > 0 && s.kernelDepth === 0;
}

/**
 * How many gradient tapes are recording right now (0 outside any; 2 or more when a gradient is being
 * taken of a computation that itself takes gradients).
 * @example
 * ```ts
 * if (gradientDepth() === 1) { ... } // first-order only
 * ```
 */
export function gradientDepth(): number {
  const s = engineState();
  return s.kernelDepth === 0 ? s.gradientDepth : 0;
}

/**
 * Run `fn` without recording its operations on the gradient tape: its results are constants to any
 * surrounding `tf.grads` (a stop-gradient that also saves the tape's memory and the backward work),
 * for quantities that are only read (error norms, finiteness checks) or held fixed (a Newton or
 * Rosenbrock matrix). Gradients taken inside `fn` still work (on a tape of their own). The tape
 * state is restored afterwards, on success and on error.
 *
 * @param fn - the computation whose operations are not recorded
 * @example
 * ```ts
 * const ratio = untaped(() => errorNorm(yError, y0, y1)); // read, never differentiated
 * ```
 */
export function untaped<T>(fn: () => T): T {
  const s = engineState();
  if (s.gradientDepth === 0) return fn();
  const depth = s.gradientDepth;
  const outer = s.activeTape;
  s.gradientDepth = 0;
  try {
    return fn();
  } finally {
    s.gradientDepth = depth;
    s.activeTape = outer;
  }
}

/**
 * Run `fn` (which takes gradients) and restore the engine's active gradient tape afterwards, on success
 * and on error. Every nested `engine.gradients` call in the library goes through here.
 *
 * @param fn - a computation that calls tf.engine().gradients (or tf.grads)
 * @example
 * ```ts
 * const { value, grads } = withOuterTape(() => tf.engine().gradients(f, xs, dy, true));
 * ```
 */
export function withOuterTape<T>(fn: () => T): T {
  const state = engineState();
  const outer = state.activeTape;
  try {
    return fn();
  } catch (e) {
    // A forward pass that threw leaves its tape behind, and with it the input copies tfjs kept for the
    // backward pass; a tape of this call's own (not an outer recording's) is released here.
    const tape = state.activeTape;
    if (state.gradientDepth === 0 && tape && tape !== outer) tape.forEach((node) => node.saved?.forEach((x) => x.dispose()));
    throw e;
  } finally {
    state.activeTape = outer;
  }
}
