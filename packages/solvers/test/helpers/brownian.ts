/** The Brownian motion the SDE tests use: @nde/brownian's VirtualBrownianTree (one path for every step size). */
import { VirtualBrownianTree, type BrownianMotion } from '@nde/brownian';

export function makeBrownian(o: { t0: number; t1: number; shape: number[]; seed: number; levy?: boolean; grid?: number }): BrownianMotion {
  return new VirtualBrownianTree({
    t0: o.t0,
    t1: o.t1,
    shape: o.shape,
    key: o.seed,
    levyArea: o.levy ? 'space-time' : 'none',
    tol: 1e-5 * (o.t1 - o.t0),
  });
}
