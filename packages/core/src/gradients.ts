/**
 * Gradients that are safe to take anywhere — inside another gradient's backward pass (a
 * `tf.customGrad` gradient function) or inside a solver step that is itself being recorded — and that
 * tolerate functions that do not depend on their input.
 *
 * tfjs 4's `engine.gradients` resets and then nulls the engine's private `state.activeTape`; an outer
 * recording (or backward pass) then crashes on `null.forEach`. {@link withOuterTape} is the one place
 * that saves and restores it.
 */
import * as tf from '@tensorflow/tfjs';

interface EngineTapeState {
  activeTape: { saved?: tf.Tensor[] }[] | null;
  gradientDepth: number;
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
  const state = tf.engine().state as unknown as EngineTapeState;
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

/**
 * Gradients of `f()` with respect to `xs` — with an upstream `dy` the vector–Jacobian product `dyᵀ ∂f/∂x`
 * — with zeros for an `x` that `f` does not use (a constant diffusion, say) instead of tfjs's "Cannot
 * compute gradient" error. Safe inside another recording or backward pass ({@link withOuterTape}). Every
 * returned tensor is new and owned by the caller.
 *
 * @param f - the function differentiated: a scalar without `dy`, else shaped like `dy`.
 * @param xs - the tensors to differentiate with respect to.
 * @param dy - the upstream gradient (default: ones, i.e. the gradient of a scalar `f`).
 * @example
 * ```ts
 * const [g] = vjp(() => tf.square(x), [x]);                  // 2x
 * const [gdg] = vjp(() => tf.mul(y, 0.3), [y], g);           // 0.3 g
 * const [zero] = vjp(() => tf.fill(y.shape, 0.3), [y], g);   // zeros like y
 * ```
 */
export function vjp(f: () => tf.Tensor, xs: readonly tf.Tensor[], dy?: tf.Tensor): tf.Tensor[] {
  if (xs.length === 0) {
    tf.tidy(() => {
      f();
    });
    return [];
  }
  return withOuterTape(() => {
    const { value, grads } = tf.engine().gradients(f, [...xs], dy, true);
    value.dispose();
    return grads.map((g, i) => g ?? tf.zerosLike(xs[i] as tf.Tensor));
  });
}
