// The shared flat config lives in tooling/eslint.config.js; every package's `lint` script finds this file.
export { default } from './tooling/eslint.config.js';
