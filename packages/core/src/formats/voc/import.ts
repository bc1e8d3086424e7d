/**
 * PASCAL VOC import (also CVAT's "Segmentation mask 1.1" import, which is the same reader), as
 * Datumaro reads it for CVAT:
 *
 * - Images are the lines of ImageSets/{Main,Segmentation,Layout,Action}/<subset>.txt (names with
 *   "_" are class or action lists, not subsets; blank and "#" lines skipped). The dataset may sit
 *   up to three folders deep. Without any list, every XML file is an image of subset "train"
 *   (CVAT's flat-archive support).
 * - labelmap.txt declares labels, colors, body parts and actions; without it VOC's own 22 labels
 *   apply, and labels the XML names besides are added (CVAT fills the label map from the task).
 * - Main lists: every object of the image's XML; <label>_<subset>.txt with "1" gives a tag.
 *   Layout lists: objects with body parts, and the parts (grouped with their object).
 *   Action lists: objects with actions. An object in several lists is one shape.
 * - Objects become rectangles: difficult/truncated (and actions) as true/false attributes, occluded
 *   as the shape's flag, pose and <attributes> as attributes, "rotation" back as the rotation.
 * - Segmentation lists: SegmentationObject gives one mask per instance (its class from
 *   SegmentationClass); without it, one mask per class. Unlike Datumaro, the background class is
 *   not made a mask of its own: it is the absence of objects.
 * - Groups as CVAT keeps them: object i, its parts and instance i share a group when more than one
 *   shape does.
 */
import type { Bitmap } from '../mask.js';
import { ImageMatcher, baseName, stripExtension } from '../match.js';
import {
  DatasetFormatError, type DatasetShape, type DatasetTag, type FrameAnnotations, type ImportContext, type ImportSource,
  type ParsedDataset,
} from '../model.js';
import { LabelCollector, collapseGroups, importedValue, type ValueHint } from './attributes.js';
import { rgbToHex } from './colormap.js';
import { parseAnnotation, type LabelLookup, type VocAnnotation, type VocBox, type VocObject } from './annotation-xml.js';
import { ANNOTATIONS_DIR, IMAGES_DIR, SETS_DIR, subsetOrDefault } from './layout.js';
import { LABELMAP_FILE, defaultLabelmap, parseLabelmap, vocCategories } from './labelmap.js';
import { classTags, findRoot, flatItems, listedItems } from './lists.js';
import { segmentationMasks } from './segmentation.js';

const SOURCES = new Set(['auto', 'semi-auto', 'manual', 'file']);

export async function importVoc(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const paths = source.paths();
  const has = new Set(paths);
  const root = findRoot(paths);
  const flat = root === null;
  const base = root ?? '';

  const labelmapPath = `${base}${LABELMAP_FILE}`;
  const declared = has.has(labelmapPath);
  const cats = vocCategories(declared ? parseLabelmap(labelmapPath, await source.text(labelmapPath)) : defaultLabelmap());
  const labels = new LabelCollector();
  cats.names.forEach((n, i) => {
    const c = cats.colors.get(i);
    labels.declare(n, c && rgbToHex(c));
    for (const a of cats.actions.get(n) ?? []) labels.attribute(n, a, 'bool');
  });
  const lookup: LabelLookup = {
    check(name, file, line) {
      if (cats.names.includes(name)) return;
      if (declared) throw new DatasetFormatError(file, `label "${name}" is not in ${LABELMAP_FILE}`, { line });
      cats.names.push(name);
      labels.declare(name);
    },
    actions: (name) => cats.actions.get(name) ?? [],
  };

  const items = flat ? flatItems(paths) : await listedItems(source, base, paths);
  if (items.length === 0 && flat) {
    throw new DatasetFormatError(`${SETS_DIR}/Main`, 'no subset lists in ImageSets/{Main,Segmentation,Layout,Action} and no annotation XML files');
  }
  const tags = flat ? new Map<string, DatasetTag[]>() : await classTags(source, base, has, items, cats);
  const images = imageFiles(paths, `${base}${IMAGES_DIR}/`);
  const matcher = new ImageMatcher(ctx.images);
  const xmlCache = new Map<string, VocAnnotation>();
  const frames: FrameAnnotations[] = [];

  for (const item of items) {
    const inMain = item.tasks.has('Main'), inLayout = item.tasks.has('Layout'), inAction = item.tasks.has('Action');
    let ann: VocAnnotation | undefined;
    if (inMain || inLayout || inAction) {
      const xmlPath = flat ? item.id : `${base}${ANNOTATIONS_DIR}/${item.id}.xml`;
      const key = `${xmlPath}\n${inLayout}`;
      if (has.has(xmlPath)) {
        ann = xmlCache.get(key) ?? parseAnnotation(xmlPath, await source.text(xmlPath), lookup, inLayout);
        xmlCache.set(key, ann);
      }
    }
    const id = flat ? stripExtension(baseName(item.id)) : item.id;
    const shapes: DatasetShape[] = [];
    const dmGroups: number[] = [];
    ann?.objects.forEach((o, k) => {
      const take = inMain || (inLayout && o.parts.length > 0) || (inAction && o.hasActions);
      if (!take) return;
      shapes.push(objectShape(o, labels));
      dmGroups.push(k + 1);
      if (inLayout) {
        for (const p of o.parts) {
          shapes.push(boxShape(p.label, p.box, {}));
          dmGroups.push(k + 1);
        }
      }
    });
    let maskSize: Bitmap | undefined;
    if (item.tasks.has('Segmentation')) {
      const masks = await segmentationMasks(source, has, base, id, cats, ctx);
      maskSize = masks.size;
      for (const m of masks.shapes) {
        shapes.push(m.shape);
        dmGroups.push(m.group);
      }
    }
    collapseGroups(dmGroups).forEach((g, i) => (shapes[i]!.group = g));

    const ext = extensionOf(ann?.filename) ?? images.get(id) ?? '.jpg';
    const name = id + ext;
    const matched = matcher.match(name);
    const width = ann?.width && ann.height ? ann.width : maskSize?.width ?? matched?.width ?? 0;
    const height = ann?.width && ann.height ? ann.height : maskSize?.height ?? matched?.height ?? 0;
    const subset = subsetOrDefault(item.subset);
    frames.push({
      image: { frame: -1, name, width, height, ...(subset !== undefined ? { subset } : {}) },
      shapes,
      tags: tags.get(`${item.subset}\n${item.id}`) ?? [],
    });
  }
  return { labels: labels.result(), frames, tracks: [] };
}

/** Extensions of the files under JPEGImages/, by item id. */
function imageFiles(paths: readonly string[], dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of paths) {
    if (!p.startsWith(dir)) continue;
    const rel = p.slice(dir.length);
    const id = stripExtension(rel);
    if (!out.has(id)) out.set(id, rel.slice(id.length));
  }
  return out;
}

function extensionOf(filename: string | undefined): string | undefined {
  if (!filename) return undefined;
  const ext = filename.slice(stripExtension(filename).length);
  return ext || undefined;
}

function toBool(v: string | boolean | undefined): boolean {
  if (typeof v === 'boolean') return v;
  return v !== undefined && ['true', 't', 'yes', 'y', 'on', '1'].includes(v.toLowerCase());
}

function boxShape(label: string, b: VocBox, attributes: Record<string, string>): DatasetShape {
  // Datumaro keeps x, y, w, h and gives back x + w: the same doubles CVAT stores.
  const w = b.xmax - b.xmin, h = b.ymax - b.ymin;
  return {
    type: 'rectangle', label, group: 0, source: 'file', attributes, points: [b.xmin, b.ymin, b.xmin + w, b.ymin + h],
    rotation: 0, occluded: false, outside: false, z_order: 0,
  };
}

function objectShape(o: VocObject, labels: LabelCollector): DatasetShape {
  const attrs = new Map(o.attributes);
  const hints = new Map<string, ValueHint>();
  const shape = boxShape(o.label, o.box, {});
  shape.occluded = toBool(attrs.get('occluded'));
  attrs.delete('occluded');
  const rotation = attrs.get('rotation');
  if (rotation !== undefined) {
    const r = Number(rotation);
    shape.rotation = Number.isFinite(r) ? r : 0;
    attrs.delete('rotation');
  }
  const trackId = attrs.get('track_id');
  if (trackId !== undefined && /^\d+$/.test(String(trackId))) {
    shape.track_id = Number(trackId);
    shape.keyframe = toBool(attrs.get('keyframe'));
    attrs.delete('track_id');
    attrs.delete('keyframe');
  }
  const src = attrs.get('source');
  if (typeof src === 'string' && SOURCES.has(src.toLowerCase())) {
    shape.source = src.toLowerCase() as DatasetShape['source'];
    attrs.delete('source');
  }
  for (const [k, v] of attrs) {
    const value = importedValue(v);
    shape.attributes[k] = value;
    hints.set(k, value === 'true' || value === 'false' ? 'bool' : 'text');
  }
  labels.attributes(o.label, shape.attributes, hints);
  return shape;
}

