/** Method names → solver objects. */
import { UnknownMethodError } from '@nde/core';
import { BDF } from './implicit/bdf.js';
import { ImplicitRK } from './implicit/implicit-rk.js';
import { ROSENBROCK_TABLEAUS, Rosenbrock, type RosenbrockTableau } from './implicit/rosenbrock.js';
import { IMEX_TABLEAUS, type ImexTableau } from './implicit/imex-tableaus.js';
import { ESDIRK_TABLEAUS, type EsdirkTableau } from './implicit/tableaus.js';
import { ExplicitRK } from './rk/explicit-rk.js';
import { TABLEAUS, type TableauName } from './rk/tableaus.js';
import { EulerMaruyama } from './sde/euler-maruyama.js';
import { StochasticHeun } from './sde/heun.js';
import { StochasticMidpoint } from './sde/midpoint.js';
import { Milstein } from './sde/milstein.js';
import { ReversibleHeun } from './sde/reversible-heun.js';
import { SRA1 } from './sde/sra1.js';
import { SRK } from './sde/srk.js';
import type { Solver, TermKind } from './solver.js';

/** Names of the built-in implicit (stiff) ODE methods. */
export type ImplicitMethodName = keyof typeof ESDIRK_TABLEAUS | keyof typeof IMEX_TABLEAUS | keyof typeof ROSENBROCK_TABLEAUS | 'bdf';

/** Names of the built-in ODE methods. */
export type MethodName = TableauName | ImplicitMethodName | (string & {});

/** Names of the built-in SDE methods. */
export type SdeMethodName = 'euler' | 'milstein' | 'milstein_grad_free' | 'heun' | 'midpoint' | 'reversible_heun' | 'sra1' | 'srk';

// SDE methods live in their own table: 'euler', 'heun' and 'midpoint' are also ODE tableau names,
// and the kind of the terms decides which one a name means.
const SDE_METHODS: Record<SdeMethodName, () => Solver> = {
  euler: () => new EulerMaruyama(),
  milstein: () => new Milstein(),
  milstein_grad_free: () => new Milstein({ derivativeFree: true }),
  heun: () => new StochasticHeun(),
  midpoint: () => new StochasticMidpoint(),
  reversible_heun: () => new ReversibleHeun(),
  sra1: () => new SRA1(),
  srk: () => new SRK(),
};

const extra = new Map<string, () => Solver>();
const extraSde = new Map<string, () => Solver>();

/**
 * Register a solver under a name so `method: name` finds it. `termKind` 'sde' registers it for SDE
 * terms (default 'ode').
 *
 * @param name - the method name solve/odeint will accept
 * @param make - makes a new solver object
 * @param termKind - 'ode' (default) or 'sde'
 * @example
 * ```ts
 * registerMethod('my_sde', () => new MySdeSolver(), 'sde');
 * ```
 */
export function registerMethod(name: string, make: () => Solver, termKind: TermKind = 'ode'): void {
  (termKind === 'sde' ? extraSde : extra).set(name, make);
}

/**
 * Every method name `solve`/`odeint` (termKind 'ode', the default) or `sdeint` ('sde') accept.
 *
 * @param termKind - 'ode' (default) or 'sde'
 */
export function knownMethods(termKind: TermKind = 'ode'): string[] {
  if (termKind === 'sde') return [...Object.keys(SDE_METHODS), ...extraSde.keys()];
  return [
    ...Object.keys(TABLEAUS),
    ...Object.keys(ESDIRK_TABLEAUS),
    ...Object.keys(IMEX_TABLEAUS),
    ...Object.keys(ROSENBROCK_TABLEAUS),
    'bdf',
    ...extra.keys(),
  ];
}

/**
 * A solver from a name, or the solver itself. `termKind` 'sde' looks the name up among SDE methods
 * (so 'euler' is Euler–Maruyama, 'heun' the stochastic Heun method); the default looks up ODE
 * methods first and falls back to SDE-only names.
 *
 * @param solver - a method name, or a solver object (returned as is)
 * @param termKind - which table a name is looked up in first: 'ode' (default) or 'sde'
 * @throws UnknownMethodError listing the choices.
 */
export function resolveSolver(solver: Solver | MethodName, termKind: TermKind = 'ode'): Solver {
  if (typeof solver !== 'string') return solver;
  if (termKind === 'sde') {
    const make = (SDE_METHODS as Record<string, () => Solver>)[solver] ?? extraSde.get(solver);
    if (make) return make();
    throw new UnknownMethodError('method', solver, knownMethods('sde'));
  }
  const tableau = (TABLEAUS as Record<string, (typeof TABLEAUS)[TableauName]>)[solver];
  if (tableau) return new ExplicitRK(tableau);
  if (solver === 'bdf') return new BDF() as Solver;
  const rosenbrock = (ROSENBROCK_TABLEAUS as Record<string, RosenbrockTableau | undefined>)[solver];
  if (rosenbrock) return new Rosenbrock(rosenbrock) as Solver;
  const implicit =
    (ESDIRK_TABLEAUS as Record<string, EsdirkTableau | undefined>)[solver] ??
    (IMEX_TABLEAUS as Record<string, ImexTableau | undefined>)[solver];
  if (implicit) return new ImplicitRK(implicit) as Solver;
  const make = extra.get(solver) ?? (SDE_METHODS as Record<string, () => Solver>)[solver] ?? extraSde.get(solver);
  if (make) return make();
  throw new UnknownMethodError('method', solver, knownMethods());
}
