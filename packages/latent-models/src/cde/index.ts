/** Neural controlled differential equations and their RNN baseline. */
export * from './neural-cde.js';
export * from './gru-classifier.js';
