/**
 * Typed errors. Every error thrown by an `@nde/*` package is an {@link NdeError}
 * with a stable `code`, the `argument` at fault and a `hint` saying how to fix it.
 *
 * @example
 * ```ts
 * try { await useBackend('webgpu'); }
 * catch (e) { if (e instanceof BackendUnavailableError) console.log(e.hint); }
 * ```
 */

/** Stable machine-readable error codes. */
export type NdeErrorCode =
  'INVALID_ARGUMENT' | 'SHAPE_MISMATCH' | 'DTYPE_MISMATCH' | 'BACKEND_UNAVAILABLE' | 'UNKNOWN_METHOD' | 'UNSUPPORTED' | 'SOLVER_FAILURE';

/** Base class of every error thrown by the library. */
export class NdeError extends Error {
  /** Stable code to branch on. */
  readonly code: NdeErrorCode;
  /** Name of the argument at fault (e.g. `dt0`, `y0`, `saveAt.ts`). */
  readonly argument: string;
  /** How to fix it. */
  readonly hint: string;

  constructor(code: NdeErrorCode, argument: string, message: string, hint: string) {
    super(`\`${argument}\`: ${message}${hint ? ` ${hint}` : ''}`);
    this.name = new.target.name;
    this.code = code;
    this.argument = argument;
    this.hint = hint;
  }
}

/** A value is out of its allowed range or of the wrong kind. */
export class InvalidArgumentError extends NdeError {
  constructor(argument: string, message: string, hint = '') {
    super('INVALID_ARGUMENT', argument, message, hint);
  }
}

/** Tensor shapes do not fit together. */
export class ShapeError extends NdeError {
  constructor(argument: string, message: string, hint = '') {
    super('SHAPE_MISMATCH', argument, message, hint);
  }
}

/** A tensor has a dtype the operation cannot use (only float32 carries state). */
export class DTypeError extends NdeError {
  constructor(argument: string, message: string, hint = '') {
    super('DTYPE_MISMATCH', argument, message, hint);
  }
}

/** A requested backend cannot be loaded here. */
export class BackendUnavailableError extends NdeError {
  constructor(argument: string, message: string, hint = '') {
    super('BACKEND_UNAVAILABLE', argument, message, hint);
  }
}

/** A method name (solver, controller, estimator…) that does not exist. */
export class UnknownMethodError extends NdeError {
  constructor(argument: string, name: string, known: readonly string[]) {
    super('UNKNOWN_METHOD', argument, `unknown method '${name}'.`, `Use one of: ${known.join(', ')}.`);
  }
}

/** A valid combination the chosen object does not support (e.g. Itô SDE with a Stratonovich-only solver). */
export class UnsupportedError extends NdeError {
  constructor(argument: string, message: string, hint = '') {
    super('UNSUPPORTED', argument, message, hint);
  }
}
