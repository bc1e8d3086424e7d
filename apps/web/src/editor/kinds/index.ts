/**
 * The kind -> util dispatch. `ObjectKind` is a closed union: a new kind fails to compile here
 * (and in every other switch on kind) until it is handled.
 */
import { assertNever, type ObjectKind } from '../model';
import { ellipse } from './ellipse';
import { rectangle } from './rectangle';
import { tag } from './tag';
import type { KindUtil } from './types';
import { points, polygon, polyline } from './vertices';

export type { Handle, KindUtil, PaintStyle, PathSink } from './types';

export function kindUtil(kind: ObjectKind): KindUtil {
  switch (kind) {
    case 'rectangle':
      return rectangle;
    case 'ellipse':
      return ellipse;
    case 'polygon':
      return polygon;
    case 'polyline':
      return polyline;
    case 'points':
      return points;
    case 'tag':
      return tag;
    default:
      return assertNever(kind, 'object kind');
  }
}
