/**
 * The demos the CLI knows. Each is loaded only when it runs, so `pnpm demo --list` imports neither tfjs
 * nor any demo.
 */
import type { DemoOptions, DemoResult } from '../lib/output.js';

export interface Demo {
  description: string;
  /** Import the demo's module (and with it tfjs) and run it. */
  run(o?: DemoOptions): Promise<DemoResult>;
}

type DemoModule = { run(o?: DemoOptions): Promise<DemoResult> };

const lazy = (description: string, load: () => Promise<DemoModule>): Demo => ({
  description,
  run: async (o) => (await load()).run(o),
});

export const DEFAULT_DEMO = 'spirals';

export const DEMOS: Record<string, Demo> = {
  spirals: lazy(
    'neural ODE (MLP 2-50-2, dopri5) learns a cubic spiral; phase portrait, vector field, loss curve, training GIF',
    () => import('./spirals.js'),
  ),
  ode: lazy(
    'Van der Pol solved with dopri5 from 16 starts in one batched solve; phase portrait, step sizes, work–precision of RK methods',
    () => import('./ode.js'),
  ),
  'latent-sde': lazy(
    'latent SDE (@nde/latent-models) fitted to irregular Ornstein–Uhlenbeck paths; prior samples, posterior fits, ELBO curve',
    () => import('./latent-sde.js'),
  ),
  'sde-bnn': lazy(
    'Bayesian neural network with SDE weights (@nde/sde-bnn) on the 1-D regression toy; predictive mean and ±1/±2 std bands',
    () => import('./sde-bnn.js'),
  ),
  'video-gan': lazy(
    'video GAN with a neural-ODE temporal generator (@nde/video-gan) on Moving Fashion-MNIST; sample GIF grids, 2× extrapolation, IS/FD',
    () => import('./video-gan.js'),
  ),
  cnf: lazy(
    'continuous normalizing flow (@nde/latent-models) learns a 2-D toy density; density maps, samples, NLL curve, GIF',
    () => import('./cnf.js'),
  ),
};
