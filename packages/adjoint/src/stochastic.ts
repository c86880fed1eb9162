/**
 * The stochastic adjoint of Li et al. (2020), "Scalable gradients for stochastic differential
 * equations": for a Stratonovich SDE dy = f dt + g ∘ dW the augmented state [y, a, dL/dθ, dL/dargs]
 * solves, backwards in time and driven by the *same* Brownian path (queried again from
 * `terms.bm` with reversed times, W(t_{n−1}) − W(t_n)),
 *
 *   dy = f dt + g ∘ dW,   da = −aᵀ ∂f/∂y dt − aᵀ ∂(g ∘ dW)/∂y,   d(dL/dθ) = −aᵀ ∂f/∂θ dt − aᵀ ∂(g ∘ dW)/∂θ.
 *
 * Each backward step treats the right-hand side as a control term in (dt, dW): one VJP of
 * y ↦ f(t, y)·h + g(t, y)·ΔW per stage, so any noise type works without forming ∂g/∂y. The
 * backward scheme is the Stratonovich midpoint method on the forward step grid reversed. Memory is
 * O(1) in the number of steps. Itô SDEs: solve their Stratonovich form (`term.toStratonovich()`).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, UnsupportedError, treeAdd, treeLinearCombination, type Tree } from '@nde/core';
import { StepTo, isSdeTerm, type SDETerm, type Solution, type SolveOptions, type Solver, type StepResult } from '@nde/solvers';
import { gridBetweenPoints } from './grid.js';
import { CustomBackwardAdjoint, withGrid, type AdjointOptions, type BackwardInput, type BackwardOutput, type ForwardResult } from './op.js';
import { valueAndVjp } from './vjp.js';
import { treeLayout, walkBackward } from './walk.js';

interface Augmented {
  y: tf.Tensor;
  a: tf.Tensor;
  p: tf.Tensor[];
  g: tf.Tensor[];
}

/** The augmented adjoint SDE as a control term: `increment(t, z, h, ΔW)`. */
class AdjointControlTerm {
  readonly kind = 'adjoint-control' as const;
  constructor(
    readonly sde: SDETerm,
    readonly params: readonly tf.Variable[],
    readonly args: readonly tf.Tensor[],
    readonly userArgs: unknown,
  ) {}

  increment(t: number, z: Augmented, h: number, dW: tf.Tensor): Augmented {
    const { sde, userArgs } = this;
    const { value, grads } = valueAndVjp(
      () => tf.add(tf.mul(sde.f(t, z.y, userArgs), h), sde.prod(sde.g(t, z.y, userArgs), dW)),
      [z.y, ...this.params, ...this.args],
      // Seeded with −a, the VJP is the right-hand side itself (negation is exact).
      tf.neg(z.a),
    );
    const nP = this.params.length;
    return { y: value, a: grads[0] as tf.Tensor, p: grads.slice(1, 1 + nP), g: grads.slice(1 + nP) };
  }
}

/** Stratonovich midpoint on the augmented control term (a solver object for the one `solve` loop). */
class AdjointMidpoint implements Solver<AdjointControlTerm, undefined> {
  readonly name = 'adjoint_midpoint';
  readonly order = 1;
  readonly errorOrder = undefined;
  readonly termKind = 'ode' as const;
  validate(terms: AdjointControlTerm): void {
    if (!(terms instanceof AdjointControlTerm))
      throw new InvalidArgumentError('terms', 'adjoint_midpoint only solves the stochastic adjoint system.');
  }
  init(): undefined {
    return undefined;
  }
  disposeState(): void {}
  step(terms: AdjointControlTerm, t0: number, t1: number, z0: Tree): StepResult<undefined> {
    const z = z0 as unknown as Augmented;
    const h = t1 - t0;
    const dW = terms.sde.bm.evaluate(t0, t1);
    const k0 = terms.increment(t0, z, h, dW);
    const mid = treeLinearCombination(z as unknown as Tree, [0.5], [k0 as unknown as Tree]) as unknown as Augmented;
    const k1 = terms.increment(t0 + 0.5 * h, mid, h, dW);
    const y1 = treeAdd(z as unknown as Tree, k1 as unknown as Tree);
    return { y1, state: undefined, nfe: 2 };
  }
}

/**
 * The stochastic adjoint (Li et al.) for Stratonovich SDEs, O(1) memory in the number of steps.
 * `BacksolveAdjoint` uses it for SDE terms.
 *
 * @example
 * ```ts
 * const term = new SDETerm({ drift, diffusion, bm, noise: 'diagonal', sdeType: 'stratonovich' });
 * const sol = solve({ terms: term, solver: 'midpoint', t0: 0, t1: 1, y0, dt0: 0.01, adjoint: new StochasticAdjoint() });
 * ```
 */
export class StochasticAdjoint extends CustomBackwardAdjoint<{ grid: number[] }> {
  /** Identifier of this adjoint: `'stochastic'`. */
  readonly name = 'stochastic';

  constructor(options: AdjointOptions = {}) {
    super(options);
  }

  /**
   * Solve with the tape off, recording the step grid; throws `UnsupportedError` for Itô SDEs with non-additive noise.
   */
  protected forward(
    o: SolveOptions<Tree, unknown>,
    solve: (o: SolveOptions<Tree, unknown>) => Solution<Tree>,
  ): ForwardResult<{ grid: number[] }> {
    if (!isSdeTerm(o.terms)) {
      throw new UnsupportedError(
        'terms',
        'StochasticAdjoint differentiates SDE solves; these terms are not an SDETerm.',
        'For ODEs use BacksolveAdjoint (the continuous adjoint) or DirectAdjoint.',
      );
    }
    const sde = o.terms as SDETerm;
    if (sde.sdeType !== 'stratonovich' && sde.noise !== 'additive') {
      throw new UnsupportedError(
        'terms.sdeType',
        'the stochastic adjoint here is written for Stratonovich SDEs (the Itô adjoint needs a correction that is wrong for state-mixing diffusions, cf. torchsde).',
        "Use sdeType: 'stratonovich' (convert with term.toStratonovich()) and a Stratonovich solver ('midpoint', 'heun', 'reversible_heun'), or DirectAdjoint.",
      );
    }
    const { options, grid } = withGrid(o);
    return { solution: solve(options), keep: [], meta: { grid } };
  }

  /**
   * Solve the augmented adjoint SDE backwards on the reversed step grid with the Stratonovich midpoint method, on the
   * same Brownian path.
   */
  protected backward(input: BackwardInput<{ grid: number[] }>): BackwardOutput {
    const { options: o, params, args, meta } = input;
    const term = new AdjointControlTerm(o.terms as SDETerm, params, args, o.args);
    const solver = new AdjointMidpoint();
    return walkBackward({
      ys: input.ys,
      cotangent: input.cotangent,
      ts: input.ts,
      t0: o.t0,
      params,
      args,
      layout: treeLayout,
      solveInterval: (state, from, to) => {
        const points = gridBetweenPoints(meta.grid, from, to);
        return input.solve({
          terms: term,
          solver,
          t0: from,
          t1: to,
          y0: state,
          stepSizeController: new StepTo(points),
          saveAt: { t1: true },
          maxSteps: points.length + 16,
          checkFinite: false,
        });
      },
    });
  }
}
