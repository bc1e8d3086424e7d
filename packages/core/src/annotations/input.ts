/**
 * Annotations as a client sends them (CVAT's *Request schemas): the optional fields may be left
 * out, `group` and `id` may be null. normalizeAnnotations turns a valid one into the complete
 * model of types.ts.
 */
import type { AttributeValue, ShapeType, Source } from './types.js';

export interface ObjectInput {
  id?: number | null;
  frame: number;
  label_id: number;
  group?: number | null;
  source?: Source;
  attributes?: AttributeValue[];
}

export interface GeometryInput {
  type: ShapeType;
  points?: number[];
  rotation?: number;
  occluded?: boolean;
  outside?: boolean;
  z_order?: number;
}

export interface SubShapeInput extends ObjectInput, GeometryInput {
  score?: number;
}

export interface ShapeInput extends ObjectInput, GeometryInput {
  score?: number;
  elements?: SubShapeInput[];
}

export interface TrackedShapeInput extends GeometryInput {
  id?: number | null;
  frame: number;
  attributes?: AttributeValue[];
}

export interface SubTrackInput extends ObjectInput {
  shapes: TrackedShapeInput[];
}

export interface TrackInput extends ObjectInput {
  shapes: TrackedShapeInput[];
  elements?: SubTrackInput[];
}

export type TagInput = ObjectInput;

export interface AnnotationsInput {
  version?: number;
  tags?: TagInput[];
  shapes?: ShapeInput[];
  tracks?: TrackInput[];
}

// Readers for a body not yet known to have these shapes.

export type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

export function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
