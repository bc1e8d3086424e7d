/** Tags: frame-level labels without geometry; never drawn, hit or indexed. */
import type { KindUtil } from './types';

export const tag: KindUtil = {
  paint: 'none',
  minVertices: 0,
  vertexHandles: false,
  bounds: () => null,
  hitTest: () => false,
  handles: () => [],
  dragHandle: (start) => start.points.slice(),
  trace: () => {},
};
