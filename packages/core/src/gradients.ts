/**
 * Gradients that are safe to take anywhere — inside another gradient's backward pass (a
 * `tf.customGrad` gradient function) or inside a solver step that is itself being recorded — and that
 * tolerate functions that do not depend on their input.
 *
 * tfjs 4's `engine.gradients` resets and then nulls the engine's private `state.activeTape`; an outer
 * recording (or backward pass) then crashes on `null.forEach`; `tape.ts` (`withOuterTape`) saves and
 * restores it.
 */
import * as tf from '@tensorflow/tfjs';
import { isTensor, treeLeaves, type Tree } from './tree.js';
import { withOuterTape } from './tape.js';
import { addMany } from './add-many.js';

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

/**
 * The trainable variables a computation depends on (one evaluation and one VJP): every registered
 * trainable `tf.Variable` with a gradient path to `probe()`'s result. Solvers use it to make a step
 * that runs off the tape (an implicit one) differentiable in the parameters; adjoints to find them.
 *
 * @param probe - evaluates the computation once (its result is only differentiated, then freed)
 * @example
 * ```ts
 * const vars = usedVariables(() => term.vf(0, y0, args));
 * ```
 */
export function usedVariables(probe: () => Tree): tf.Variable[] {
  const all = Object.values(tf.engine().registeredVariables).filter((v) => v.trainable);
  if (all.length === 0) return [];
  const used: tf.Variable[] = [];
  tf.tidy(() => {
    const { grads } = withOuterTape(() =>
      tf.engine().gradients(
        () => {
          const sums = treeLeaves(probe()).map((x) => tf.sum(x));
          return addMany(sums);
        },
        all,
        undefined,
        true,
      ),
    );
    grads.forEach((g, i) => {
      if (g) used.push(all[i] as tf.Variable);
    });
  });
  return used;
}

/**
 * The tensors inside a solve's `args` (arrays and plain objects walked, keys sorted), in a fixed
 * order: what gradients with respect to `args` are reported for.
 *
 * @param args - the `args` passed to a vector field
 * @example
 * ```ts
 * argTensors({ w, nested: [b] }); // [b, w] (keys sorted)
 * ```
 */
export function argTensors(args: unknown): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  const walk = (x: unknown): void => {
    if (isTensor(x)) out.push(x);
    else if (Array.isArray(x)) x.forEach(walk);
    else if (typeof x === 'object' && x !== null && (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null)) {
      for (const k of Object.keys(x).sort()) walk((x as Record<string, unknown>)[k]);
    }
  };
  walk(args);
  return out;
}

/**
 * `args` with its tensors replaced, in the order {@link argTensors} lists them (arrays and plain
 * objects rebuilt, everything else kept as it is). Adjoints replay a solve with saved copies of the
 * args tensors, which the caller may have disposed by the time the backward pass runs.
 *
 * @param args - the solve's `args`
 * @param tensors - one replacement per tensor of `argTensors(args)`, in that order
 * @example
 * ```ts
 * const replay = withArgTensors(options.args, argTensors(options.args).map((t) => t.clone()));
 * ```
 */
export function withArgTensors<A>(args: A, tensors: readonly tf.Tensor[]): A {
  let i = 0;
  const walk = (x: unknown): unknown => {
    if (isTensor(x)) return tensors[i++];
    if (Array.isArray(x)) return x.map(walk);
    if (typeof x === 'object' && x !== null && (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null)) {
      const out: Record<string, unknown> = {};
      // The same key order as argTensors (sorted), so the i-th tensor lands where argTensors found it.
      for (const k of Object.keys(x).sort()) out[k] = walk((x as Record<string, unknown>)[k]);
      return out;
    }
    return x;
  };
  return walk(args) as A;
}
