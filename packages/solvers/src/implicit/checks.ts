/** The checks every implicit solver makes, with one wording each. */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, UnsupportedError } from '@nde/core';

/**
 * Mass matrices (DAEs) are not supported: a named error with what to do instead.
 * @param massMatrix - what the user passed
 * @internal
 */
export function assertNoMassMatrix(massMatrix: unknown): void {
  if (massMatrix === undefined) return;
  throw new UnsupportedError(
    'massMatrix',
    'mass matrices (and so DAEs) are not supported by the implicit solvers yet.',
    'Solve M y′ = f for y′ yourself when M is constant and invertible (y′ = M⁻¹ f), or reformulate the DAE as an ODE.',
  );
}

/** Whether the current backend is a GPU one (webgl, webgpu), where every host read stalls. @internal */
export function isGpuBackend(): boolean {
  const backend = tf.getBackend();
  return backend === 'webgpu' || backend === 'webgl';
}

/**
 * The implicit solvers factor on the host: refuse GPU backends, whose every read would stall.
 * @param name - the solver's name
 * @internal
 */
export function assertHostBackend(name: string): void {
  if (isGpuBackend()) {
    throw new UnsupportedError(
      'solver',
      `'${name}' factors its Newton matrices on the host, which stalls ${tf.getBackend()} at every iteration.`,
      "On webgl/webgpu use 'ros34pw2', 'kvaerno3/4/5' or 'kencarp3/4/5' (their linear algebra and Newton run on the device), or run this solver on 'cpu' or 'wasm'.",
    );
  }
}

/**
 * The `linearAlgebra` option, checked.
 * @param value - what the user passed
 * @internal
 */
export function checkLinearAlgebra(value: unknown): 'host' | 'device' | undefined {
  if (value === undefined || value === 'host' || value === 'device') return value;
  throw new InvalidArgumentError('linearAlgebra', `must be 'host' or 'device' (got ${String(value)}).`);
}

/**
 * Whether a step runs on the device: the option, else the backend's kind.
 * @param linearAlgebra - the solver's option
 * @internal
 */
export function onDevice(linearAlgebra: 'host' | 'device' | undefined): boolean {
  return (linearAlgebra ?? (isGpuBackend() ? 'device' : 'host')) === 'device';
}
