export * from './ground-truth.js';
export * from './honeypot-annotations.js';
export * from './honeypot-layout.js';
export * from './honeypot-selector.js';
export * from './params.js';
export * from './random.js';
export * from './reselection.js';
