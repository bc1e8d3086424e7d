export * from './attributes.js';
export * from './contour.js';
export * from './geometry.js';
export type {
  AnnotationsInput,
  GeometryInput,
  ObjectInput,
  ShapeInput,
  SubShapeInput,
  SubTrackInput,
  TagInput,
  TrackedShapeInput,
  TrackInput,
} from './input.js';
export * from './interpolate.js';
export * from './label-index.js';
export * from './merge.js';
export * from './normalize.js';
export * from './point-rules.js';
export * from './problem.js';
export * from './rotation.js';
export * from './schema.js';
export * from './slice.js';
export * from './types.js';
export * from './validate.js';
