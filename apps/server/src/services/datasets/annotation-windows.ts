/**
 * A task's (or job's) annotations for an export, read so that memory stays bounded however many
 * objects the task holds: tracks (few, and needed whole to interpolate) are read and merged once;
 * shapes and tags are read a window of frames at a time, the window sized to hold about
 * OBJECTS_PER_WINDOW objects, and the next window is read while the current one is written.
 * Jobs of overlapping segments are merged per window exactly as a whole-task read merges them:
 * the merge of frame objects works frame by frame (annotations/merge.ts), so a window of frames
 * merges alone.
 */
import { mergeSegments, type LabeledShape, type LabeledTag, type LabeledTrack, type SubShape } from '@framewise/core';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { readShapeTuplesJson, readTagsJson, readTracksJson } from '../../repositories/annotations/read.js';

/** About this many shapes and tags are held per window (two windows at a time: one read ahead). */
export const OBJECTS_PER_WINDOW = 20_000;

/** A job whose annotations an export reads, with its segment's frames. */
export interface SourceJob {
  jobId: number;
  start: number;
  stop: number;
}

/** Frames start..stop of a task, and the jobs holding their annotations. */
export interface AnnotationScope {
  start: number;
  stop: number;
  jobs: SourceJob[];
  /** Whether the labels include skeletons, whose points are child shapes to read (default: look for them). */
  skeletons?: boolean;
}

export interface FrameObjectsWindow {
  from: number;
  to: number;
  shapes: LabeledShape[];
  tags: LabeledTag[];
}

interface FrameObjects {
  shapes: LabeledShape[];
  tags: LabeledTag[];
}

const NONE: FrameObjects = { shapes: [], tags: [] };

type Tuple = [number, number, SubShape['type'], number, SubShape['source'], boolean, boolean, number, number, number[], SubShape['attributes'], number, Tuple[] | null];

function subShape(t: Tuple): SubShape {
  return {
    frame: t[0], label_id: t[1], type: t[2], group: t[3], source: t[4], occluded: t[5], outside: t[6], z_order: t[7], rotation: t[8],
    points: t[9], attributes: t[10], score: t[11],
  };
}

function shapeOf(t: Tuple): LabeledShape {
  const shape = subShape(t) as LabeledShape;
  shape.elements = t[12] ? t[12].map(subShape) : [];
  return shape;
}

async function readFrameObjects(db: Db, jobId: number, from: number, to: number, skeletons: boolean): Promise<FrameObjects> {
  const window = { from, to };
  const tags = JSON.parse(await readTagsJson(db, jobId, false, window)) as LabeledTag[];
  const shapes = (JSON.parse(await readShapeTuplesJson(db, jobId, window, skeletons)) as Tuple[]).map(shapeOf);
  return { shapes, tags };
}

/** The scope's tracks, merged across its jobs' seams as a task read merges them. */
export async function readScopeTracks(db: Db, scope: AnnotationScope): Promise<LabeledTrack[]> {
  const perJob = [];
  for (const j of scope.jobs) {
    const tracks = JSON.parse(await readTracksJson(db, j.jobId)) as LabeledTrack[];
    perJob.push({ start: j.start, stop: j.stop, annotations: { tags: [], shapes: [], tracks } });
  }
  if (perJob.length === 1) return perJob[0]!.annotations.tracks;
  return mergeSegments(perJob).tracks;
}

/** Frames per window: the scope's objects spread evenly, OBJECTS_PER_WINDOW to a window. */
async function windowSize(db: Db, scope: AnnotationScope, target: number): Promise<number> {
  const frames = scope.stop - scope.start + 1;
  const ids = scope.jobs.map((j) => j.jobId);
  if (ids.length === 0) return frames;
  const { rows } = await sql<{ n: number }>`
    select (select count(*) from labeled_shapes where job_id in (${sql.join(ids)}) and parent_id is null
              and frame between ${scope.start} and ${scope.stop})
         + (select count(*) from labeled_tags where job_id in (${sql.join(ids)}) and frame between ${scope.start} and ${scope.stop}) as n`.execute(db);
  const objects = Number(rows[0]?.n ?? 0);
  return Math.max(1, Math.min(frames, Math.floor((target * frames) / Math.max(1, objects))));
}

async function readWindow(db: Db, scope: AnnotationScope, from: number, to: number): Promise<FrameObjectsWindow> {
  const perJob = [];
  for (const j of scope.jobs) {
    const a = Math.max(from, j.start);
    const b = Math.min(to, j.stop);
    const objects = a <= b ? await readFrameObjects(db, j.jobId, a, b, scope.skeletons ?? true) : NONE;
    perJob.push({ start: j.start, stop: j.stop, annotations: { ...objects, tracks: [] } });
  }
  if (perJob.length === 1) return { from, to, ...perJob[0]!.annotations };
  const merged = mergeSegments(perJob);
  return { from, to, shapes: merged.shapes, tags: merged.tags };
}

/** The scope's shapes and tags, window after window in frame order; the next window is read ahead. */
export async function* readFrameObjectWindows(db: Db, scope: AnnotationScope, objectsPerWindow = OBJECTS_PER_WINDOW): AsyncGenerator<FrameObjectsWindow> {
  if (scope.stop < scope.start) return;
  const size = await windowSize(db, scope, objectsPerWindow);
  const read = (from: number) => {
    const p = readWindow(db, scope, from, Math.min(scope.stop, from + size - 1));
    // A read ahead the consumer never takes (it stopped early) must not become an unhandled rejection.
    p.catch(() => undefined);
    return p;
  };
  let next: Promise<FrameObjectsWindow> | undefined = read(scope.start);
  while (next) {
    const window: FrameObjectsWindow = await next;
    next = window.to < scope.stop ? read(window.to + 1) : undefined;
    yield window;
  }
}
