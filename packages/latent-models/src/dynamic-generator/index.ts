export * from './langevin.js';
export * from './transition.js';
export * from './frame-generator.js';
export * from './model.js';
export * from './abptt.js';
export * from './textures.js';
export * from './frames.js';
