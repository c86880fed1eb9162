/**
 * Which tensors gradients are taken with respect to: the parameters of the vector field (given
 * explicitly as modules or variables, or found by probing the terms), and the tensors inside `args`.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, usedVariables, type Module, type Tree } from '@nde/core';

/**
 * Parameters to differentiate: a module (its `namedParameters()`), a list of variables, or a record
 * of variables and modules (module parameters are prefixed: `drift.layers.0.weight`).
 */
export type ParamsSpec = Module | readonly tf.Variable[] | { readonly [name: string]: tf.Variable | Module };

/** Parameters by name, in a fixed order. */
export interface NamedParams {
  /** Readable name of each variable (e.g. `drift.layers.0.weight`), in the same order as `vars`. */
  readonly names: string[];
  /** The variables, each listed once. */
  readonly vars: tf.Variable[];
}

function isModule(x: unknown): x is Module {
  return typeof x === 'object' && x !== null && typeof (x as Module).namedParameters === 'function';
}

/**
 * Resolve a {@link ParamsSpec} to names and variables.
 *
 * @example
 * ```ts
 * const { names, vars } = resolveParams({ drift: f, diffusion: g });
 * ```
 *
 * @internal
 */
export function resolveParams(spec: ParamsSpec): NamedParams {
  const names: string[] = [];
  const vars: tf.Variable[] = [];
  const add = (name: string, v: tf.Variable): void => {
    if (vars.includes(v)) return;
    names.push(name);
    vars.push(v);
  };
  if (isModule(spec)) {
    for (const [k, v] of Object.entries(spec.namedParameters())) add(k, v);
  } else if (Array.isArray(spec)) {
    (spec as readonly tf.Variable[]).forEach((v, i) => {
      if (!(v instanceof tf.Variable))
        throw new InvalidArgumentError('params', `entry ${i} is not a tf.Variable.`, 'Pass variables, e.g. module.parameters().');
      add(v.name, v);
    });
  } else {
    for (const [prefix, x] of Object.entries(spec as Record<string, tf.Variable | Module>)) {
      if (x instanceof tf.Variable) add(prefix, x);
      else if (isModule(x)) for (const [k, v] of Object.entries(x.namedParameters())) add(`${prefix}.${k}`, v);
      else throw new InvalidArgumentError('params', `'${prefix}' is neither a tf.Variable nor a Module.`);
    }
  }
  return { names, vars };
}

/** What a probe of the equation returns: any tree(s) of tensors the parameters influence. */
export type Probe = () => Tree;

/**
 * Find the trainable variables `probe` depends on (one evaluation and one VJP): every registered
 * trainable `tf.Variable` with a non-zero-path gradient. Named by `variable.name`.
 *
 * @param probe - evaluates the equation once (its result is only differentiated, then freed)
 * @example
 * ```ts
 * const found = findParams(() => term.vf(0, y0, args));
 * ```
 */
export function findParams(probe: Probe): NamedParams {
  const vars = usedVariables(probe);
  return { names: vars.map((v) => v.name), vars };
}

// One home for argTensors (core): the implicit solvers need it too.
export { argTensors } from '@nde/core';

/** Resolve explicit params, or find them by probing. @internal */
export function paramsFor(spec: ParamsSpec | undefined, probe: Probe): NamedParams {
  return spec === undefined ? findParams(probe) : resolveParams(spec);
}
