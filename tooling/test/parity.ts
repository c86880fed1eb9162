/** The neural-ODE parity problem of the reference data (torchdiffeq's MLP 2-50-2 at 256 states), one home for every package's tests. */
import * as tf from '@tensorflow/tfjs';
import { Linear, MLP } from '@nde/core';
import { loadReference } from './index.js';

interface Parity {
  parity_data: { weights: Record<string, number[][] | number[]>; y0: number[][]; 'yT_reference_float64_rtol1e-10_atol1e-12': number[][] };
  counts: { nfe_forward: number };
}

/** The MLP with the reference weights, its initial states, the float64 y(1) (flattened) and torchdiffeq's NFE. */
export function parityMlp(): { mlp: MLP; y0: () => tf.Tensor2D; reference: number[]; nfeForward: number } {
  const ref = loadReference<Parity>('neural_ode_parity.json');
  const w = ref.parity_data.weights;
  const mlp = new MLP({
    layers: [
      Linear.fromTorch(w['0.weight'] as number[][], w['0.bias'] as number[]),
      Linear.fromTorch(w['2.weight'] as number[][], w['2.bias'] as number[]),
    ],
    activation: 'tanh',
  });
  return {
    mlp,
    y0: () => tf.tensor2d(ref.parity_data.y0),
    reference: ref.parity_data['yT_reference_float64_rtol1e-10_atol1e-12'].flat(),
    nfeForward: ref.counts.nfe_forward,
  };
}
