/** Neural controlled differential equations: control paths from irregular data, and the control term. */
export * from './interpolation.js';
export * from './control-term.js';
