/** The checks every implicit solver makes, with one wording each. */
import * as tf from '@tensorflow/tfjs';
import { UnsupportedError } from '@nde/core';

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
      "On webgl/webgpu use 'ros34pw2' (its linear algebra runs on the device), or run this solver on the 'cpu' or 'wasm' backend.",
    );
  }
}
