/**
 * Datumaro 1.0 import: every annotations/<subset>.json (Datumaro's own layout, older ones with
 * "info" or without dm_format_version included). Items become frames named by their image path
 * (or id), numbered by attr.frame (-1 without it); shapes with a track_id on numbered frames
 * become tracks.
 *
 * Tracks from our exports (infos.framewise present) keep exactly the shapes marked keyframe;
 * from other files (CVAT's), keyframes are inferred as CVAT's importer does (track-build.ts).
 * Annotation types the model has no place for (captions, 3D cuboids) are skipped, as in CVAT;
 * tags keep no score (the model has none for them), nor do track shapes.
 */
import { stripExtension } from '../match.js';
import {
  DatasetFormatError, type DatasetImage, type DatasetShape, type DatasetTrack, type DatasetTrackShape, type FrameAnnotations,
  type ImportSource, type ParsedDataset,
} from '../model.js';
import { LabelSpecs, splitTrackAttributes } from '../cvat/label-specs.js';
import { LabelUsage } from '../cvat/label-usage.js';
import { JsonValues } from './json-values.js';
import { AnnotationReader } from './read-annotation.js';
import { readLabels } from './read-labels.js';
import { inferKeyframes } from './track-build.js';

interface Seen {
  frame: number;
  shape: DatasetShape;
  keyframe: boolean;
  elementKeyframes: Array<boolean | undefined>;
}

interface TrackSeen {
  id: number;
  exact: boolean;
  specs: LabelSpecs;
  seen: Seen[];
}

function trackShape(frame: number, s: DatasetShape, keyframe: boolean): DatasetTrackShape {
  return {
    frame, type: s.type, points: s.points, rotation: s.rotation, occluded: s.occluded, outside: s.outside, z_order: s.z_order,
    attributes: s.attributes, keyframe,
  };
}

function buildTrack(t: TrackSeen, lastFrame: number, usage: LabelUsage): DatasetTrack | null {
  const seen = [...t.seen].sort((a, b) => a.frame - b.frame);
  const first = seen[0]!.shape;
  const pick = (shapes: DatasetTrackShape[]) => (t.exact ? shapes.filter((s) => s.keyframe) : inferKeyframes(shapes, lastFrame));
  const shapes = pick(seen.map((o) => trackShape(o.frame, o.shape, o.keyframe)));
  if (shapes.length === 0) return null;
  const label = t.specs.label(first.label);
  const mutable = (name: string) => (t.exact ? t.specs.mutable(name, label) : undefined);
  const split = splitTrackAttributes(shapes.map((s) => s.attributes), mutable);
  shapes.forEach((s, i) => (s.attributes = split.shapes[i]!));
  const track: DatasetTrack = { id: t.id, label: first.label, group: first.group, source: first.source, attributes: split.track, shapes };
  usage.use(first.label, [...Object.keys(split.track), ...shapes.flatMap((s) => Object.keys(s.attributes))]);

  if (first.type === 'skeleton') {
    const declared = label?.sublabels?.map((s) => s.name) ?? [];
    const names = [...new Set([...declared, ...seen.flatMap((o) => (o.shape.elements ?? []).map((e) => e.label))])];
    track.elements = names.flatMap((name) => {
      const observed = seen.flatMap((o) => {
        const i = (o.shape.elements ?? []).findIndex((e) => e.label === name);
        return i < 0 ? [] : [trackShape(o.frame, o.shape.elements![i]!, o.elementKeyframes[i] ?? o.keyframe)];
      });
      const es = pick(observed);
      if (es.length === 0) return [];
      const spec = t.specs.find(name, first.label);
      const esplit = splitTrackAttributes(es.map((s) => s.attributes), (n) => (t.exact ? t.specs.mutable(n, spec) : undefined));
      es.forEach((s, i) => (s.attributes = esplit.shapes[i]!));
      usage.use(name, [...Object.keys(esplit.track), ...es.flatMap((s) => Object.keys(s.attributes))], first.label);
      return [{ id: t.id, label: name, group: 0, source: first.source, attributes: esplit.track, shapes: es }];
    });
  }
  return track;
}

function imageOf(j: JsonValues, item: Record<string, unknown>, path: string, subset: string | undefined): DatasetImage {
  const id = j.string(item.id, `${path}.id`);
  const attr = item.attr === undefined || item.attr === null ? {} : j.object(item.attr, `${path}.attr`);
  const frame = j.opt(attr, 'frame', `${path}.attr`, (v, p) => j.int(v, p, 0)) ?? -1;
  const img = item.image === undefined || item.image === null ? {} : j.object(item.image, `${path}.image`);
  let name = j.opt(img, 'path', `${path}.image`, j.string) || id;
  // Older Datumaro wrote paths under images/ with the subset in front ("train/a.jpg" for item "a").
  if (subset && name.startsWith(`${subset}/`) && stripExtension(name) !== id && stripExtension(name.slice(subset.length + 1)) === id) {
    name = name.slice(subset.length + 1);
  }
  const size = j.opt(img, 'size', `${path}.image`, j.numbers);
  if (size && (size.length !== 2 || !size.every((n) => Number.isInteger(n) && n >= 0))) j.fail(`${path}.image.size`, 'must be [height, width]');
  const image: DatasetImage = { frame, name, width: size?.[1] ?? 0, height: size?.[0] ?? 0 };
  if (subset) image.subset = subset;
  return image;
}

export async function importDatumaro(source: ImportSource): Promise<ParsedDataset> {
  const files = source.paths().filter((p) => /(^|\/)annotations\/[^/]+\.json$/i.test(p));
  if (files.length === 0) throw new DatasetFormatError(source.paths()[0] ?? 'upload', 'no Datumaro annotation file (annotations/<subset>.json) found');
  const usage = new LabelUsage();
  const frames: FrameAnnotations[] = [];
  const tracks = new Map<number, TrackSeen>();
  let lastFrame = -1;
  for (const file of files) {
    const j = new JsonValues(file);
    const root = j.object(j.parse(await source.text(file)), '$');
    const { categories, labels, exact } = readLabels(j, root);
    for (const l of labels) usage.declare(l);
    const specs = new LabelSpecs(labels);
    const reader = new AnnotationReader(j, categories);
    const stem = file.slice(file.lastIndexOf('/') + 1, -'.json'.length);
    const subset = stem === 'default' ? undefined : stem;
    j.array(root.items, 'items').forEach((raw, i) => {
      const path = `items[${i}]`;
      const item = j.object(raw, path);
      const image = imageOf(j, item, path, subset);
      lastFrame = Math.max(lastFrame, image.frame);
      const f: FrameAnnotations = { image, shapes: [], tags: [] };
      frames.push(f);
      j.array(item.annotations ?? [], `${path}.annotations`).forEach((a, k) => {
        const read = reader.read(a, `${path}.annotations[${k}]`, image);
        if (read.kind === 'tag') {
          f.tags.push(read.tag);
          usage.use(read.tag.label, Object.keys(read.tag.attributes));
        } else if (read.kind === 'shape' && read.trackId !== undefined && image.frame >= 0) {
          let t = tracks.get(read.trackId);
          if (!t) tracks.set(read.trackId, (t = { id: read.trackId, exact, specs, seen: [] }));
          t.exact &&= exact;
          t.seen.push({ frame: image.frame, shape: read.shape, keyframe: read.keyframe ?? false, elementKeyframes: read.elementKeyframes ?? [] });
        } else if (read.kind === 'shape') {
          f.shapes.push(read.shape);
          usage.use(read.shape.label, Object.keys(read.shape.attributes));
          for (const e of read.shape.elements ?? []) usage.use(e.label, Object.keys(e.attributes), read.shape.label);
        }
      });
    });
  }
  const built = [...tracks.values()].sort((a, b) => a.id - b.id).flatMap((t) => buildTrack(t, lastFrame, usage) ?? []);
  return { labels: usage.labels(), frames, tracks: built };
}
