/** `stopGradient` lives in `@nde/core` (the solvers need it too); re-exported here for existing imports. */
export { stopGradient } from '@nde/core';
