/**
 * CVAT's annotation JSON (GET /api/jobs/{id}/annotations, PATCH ...?action=create|update|delete)
 * to records and back. Shapes the engine does not edit (masks, skeletons, cuboids, shapes with
 * elements or marked outside) and all tracks stay as they came, never sent back.
 */
import type { LabeledShape, LabeledTag } from '@framewise/core';
import { defaultAttributes, type AnnotationRecord, type EditorLabel, type ShapeKind } from './model';

export type CvatShape = LabeledShape;
export type CvatTag = LabeledTag;

export interface CvatAnnotations {
  version: number;
  tags: CvatTag[];
  shapes: CvatShape[];
  tracks: unknown[];
}

/** One PATCH body: what ?action=create|update|delete takes. */
export interface ChangeBatch {
  shapes: CvatShape[];
  tags: CvatTag[];
  tracks: never[];
}

export interface ChangeSet {
  create: ChangeBatch;
  update: ChangeBatch;
  delete: ChangeBatch;
}

/** Every shape kind the engine edits (a Record, so a new ShapeKind must be listed here to compile). */
const ENGINE_SHAPES: Record<ShapeKind, true> = { rectangle: true, polygon: true, polyline: true, points: true, ellipse: true };

export function isEngineShape(s: CvatShape): boolean {
  return Object.hasOwn(ENGINE_SHAPES, s.type) && (s.elements ?? []).length === 0 && !s.outside;
}

export function shapeClientId(serverId: number): string {
  return `s${serverId}`;
}

export function tagClientId(serverId: number): string {
  return `t${serverId}`;
}

function attributesOf(values: readonly { spec_id: number; value: string }[], label: EditorLabel | undefined): Record<number, string> {
  // Values the server left out read as the label's defaults, as CVAT's client shows them.
  const out = defaultAttributes(label);
  for (const a of values) out[a.spec_id] = a.value;
  return out;
}

function attributeList(attributes: Readonly<Record<number, string>>): { spec_id: number; value: string }[] {
  return Object.keys(attributes).map((k) => ({ spec_id: Number(k), value: attributes[Number(k)]! }));
}

export function recordFromShape(s: CvatShape, seq: number, label: EditorLabel | undefined): AnnotationRecord {
  const base: AnnotationRecord = {
    id: s.id !== undefined ? shapeClientId(s.id) : `l${seq}`,
    kind: s.type as ShapeKind,
    frame: s.frame,
    labelId: s.label_id,
    points: s.points.slice(),
    attributes: attributesOf(s.attributes ?? [], label),
    occluded: s.occluded ?? false,
    hidden: false,
    locked: false,
    zOrder: s.z_order ?? 0,
    rotation: s.rotation ?? 0,
    group: s.group ?? 0,
    source: s.source ?? 'manual',
    score: s.score ?? 1,
    seq,
  };
  return s.id !== undefined ? { ...base, serverId: s.id } : base;
}

export function recordFromTag(t: CvatTag, seq: number, label: EditorLabel | undefined): AnnotationRecord {
  const base: AnnotationRecord = {
    id: t.id !== undefined ? tagClientId(t.id) : `l${seq}`,
    kind: 'tag',
    frame: t.frame,
    labelId: t.label_id,
    points: [],
    attributes: attributesOf(t.attributes ?? [], label),
    occluded: false,
    hidden: false,
    locked: false,
    zOrder: 0,
    rotation: 0,
    group: t.group ?? 0,
    source: t.source ?? 'manual',
    score: 1,
    seq,
  };
  return t.id !== undefined ? { ...base, serverId: t.id } : base;
}

/** A shape record as CVAT's JSON; `serverId` becomes `id` (left out for creation). */
export function shapeFromRecord(r: AnnotationRecord, serverId: number | undefined): CvatShape {
  const shape: CvatShape = {
    type: r.kind as ShapeKind,
    frame: r.frame,
    label_id: r.labelId,
    group: r.group,
    source: r.source,
    attributes: attributeList(r.attributes),
    points: r.points.slice(),
    rotation: r.rotation,
    occluded: r.occluded,
    outside: false,
    z_order: r.zOrder,
    score: r.score,
    elements: [],
  };
  return serverId !== undefined ? { id: serverId, ...shape } : shape;
}

export function tagFromRecord(r: AnnotationRecord, serverId: number | undefined): CvatTag {
  const tag: CvatTag = { frame: r.frame, label_id: r.labelId, group: r.group, source: r.source, attributes: attributeList(r.attributes) };
  return serverId !== undefined ? { id: serverId, ...tag } : tag;
}

export function emptyBatch(): ChangeBatch {
  return { shapes: [], tags: [], tracks: [] };
}
