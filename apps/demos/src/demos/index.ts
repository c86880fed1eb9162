/** The demos the CLI knows. */
import type { DemoOptions, DemoResult } from '../lib/output.js';
import * as cnf from './cnf.js';
import * as latentSde from './latent-sde.js';
import * as ode from './ode.js';
import * as spirals from './spirals.js';

export interface Demo {
  description: string;
  run(o?: DemoOptions): Promise<DemoResult>;
}

export const DEFAULT_DEMO = 'spirals';

export const DEMOS: Record<string, Demo> = {
  spirals,
  ode,
  'latent-sde': latentSde,
  cnf,
};
