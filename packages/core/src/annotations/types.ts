/**
 * The annotation model, in CVAT's wire shapes (/api/jobs/{id}/annotations). One definition for
 * the server, the browser and the CLI. Coordinates are image pixels of the frame (after EXIF
 * orientation), as flat [x0, y0, x1, y1, ...] arrays.
 */

export const SHAPE_TYPES = ['rectangle', 'polygon', 'polyline', 'points', 'ellipse', 'cuboid', 'mask', 'skeleton'] as const;
export type ShapeType = (typeof SHAPE_TYPES)[number];

export const SOURCES = ['manual', 'auto', 'semi-auto', 'file', 'consensus'] as const;
export type Source = (typeof SOURCES)[number];

/** The value of one attribute of the object's label; `spec_id` is the attribute's id. */
export interface AttributeValue {
  spec_id: number;
  value: string;
}

/** Fields every annotated object has. */
export interface ObjectCommon {
  id?: number;
  frame: number;
  label_id: number;
  group: number;
  source: Source;
  attributes: AttributeValue[];
}

/** Geometry of a shape, standalone or as a track keyframe. */
export interface ShapeGeometry {
  type: ShapeType;
  /**
   * rectangle: x1,y1,x2,y2 | ellipse: cx,cy,rx_point_x,ry_point_y (CVAT: center, then the
   * right-top corner of the bounding box) | polygon, polyline, points: x,y pairs | cuboid: 8
   * points | mask: CVAT's RLE counts followed by left, top, right, bottom | skeleton: [] (its
   * elements carry the points).
   */
  points: number[];
  /** Degrees, clockwise, around the shape's center (rectangles, ellipses). */
  rotation: number;
  occluded: boolean;
  outside: boolean;
  z_order: number;
}

/** A skeleton's element: one point shape per sublabel. */
export interface SubShape extends ObjectCommon, ShapeGeometry {
  score: number;
}

/** A shape on one frame. */
export interface LabeledShape extends ObjectCommon, ShapeGeometry {
  score: number;
  elements: SubShape[];
}

/** A keyframe of a track. `attributes` hold the mutable attributes that change at this frame. */
export interface TrackedShape extends ShapeGeometry {
  id?: number;
  frame: number;
  attributes: AttributeValue[];
}

/** A skeleton track's element: the track of one sublabel's point. */
export interface SubTrack extends ObjectCommon {
  shapes: TrackedShape[];
}

/** An object followed over frames by keyframes; `frame` is its first keyframe. */
export interface LabeledTrack extends ObjectCommon {
  shapes: TrackedShape[];
  elements: SubTrack[];
}

/** An image-level label. */
export type LabeledTag = ObjectCommon;

export interface Annotations {
  version: number;
  tags: LabeledTag[];
  shapes: LabeledShape[];
  tracks: LabeledTrack[];
}

/** A shape a track has at a frame, keyframe or interpolated. */
export interface InterpolatedShape extends ShapeGeometry {
  frame: number;
  keyframe: boolean;
  attributes: AttributeValue[];
}

/** Exhaustiveness check for switches over closed unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
