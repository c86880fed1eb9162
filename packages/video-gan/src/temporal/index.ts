/** Temporal generators: TGAN's 1-D deconvolutions, neural ODE, neural SDE. */
export * from './types.js';
export * from './conv1d.js';
export * from './ode.js';
export * from './sde.js';
