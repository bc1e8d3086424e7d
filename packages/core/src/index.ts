export * from './annotations/index.js';
export * from './frames.js';
export * from './labels.js';
export * from './segments.js';
export * from './sorting.js';
export * from './formats/index.js';
export * from './validation/index.js';
export * from './quality/index.js';
