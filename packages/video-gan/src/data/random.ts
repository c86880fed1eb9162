/** The seeded host PRNG used for data generation (kept exported here for compatibility). */
export { mulberry32 } from '@nde/core';
