/**
 * LFW import, as Datumaro reads it for CVAT: `<subset>/annotations/pairs.txt` (required),
 * people.txt and landmarks.txt beside it, images under `<subset>/images/<person>/`.
 *
 * - Labels: dataset_meta.json, else people.txt's `<name>\t<count>` lines; persons the other files
 *   name are added.
 * - pairs.txt: `<person>\t<n1>\t<n2>` is a matched pair, `<person1>\t<n1>\t<person2>\t<n2>` a
 *   mismatched one (`-` for a person outside the dataset), `<person>/<image>` an image of a
 *   person; each image is a frame `<person>_<NNNN>` with a tag of its person, the first image of
 *   a pair listing the second in its tag's positive_pairs or negative_pairs attribute (stored as
 *   CVAT stores Datumaro's lists: "['name1/name1_0002']"). Other lines (the count heading the
 *   original file) are skipped, as Datumaro skips them.
 * - landmarks.txt: `<person>/<image>\t<x1>\t<y1>...` gives a points shape of the person.
 * - Images under images/ that no file names are frames without annotations.
 */
import { ImageMatcher, stripExtension } from '../match.js';
import { DatasetFormatError, type DatasetShape, type DatasetTag, type FrameAnnotations, type ImportContext, type ImportSource, type ParsedDataset } from '../model.js';
import { LabelCollector } from '../voc/attributes.js';
import { metaLabels } from '../widerface/dataset-meta.js';
import { parseFloatField } from '../yolo/numbers.js';
import { ANNOTATIONS_DIR, IMAGES_DIR, LANDMARKS_FILE, NEGATIVE, PAIRS_FILE, PEOPLE_FILE, POSITIVE, imageName, pyListRepr } from './names.js';

interface Item {
  id: string;
  /** The image path (without extension) under images/, when known. */
  image?: string;
  tag?: DatasetTag;
  pairs: { [POSITIVE]: string[]; [NEGATIVE]: string[] };
  shapes: DatasetShape[];
}

export async function importLfw(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const paths = source.paths();
  const pairFiles = paths.filter((p) => p === `${ANNOTATIONS_DIR}/${PAIRS_FILE}` || p.endsWith(`/${ANNOTATIONS_DIR}/${PAIRS_FILE}`));
  if (pairFiles.length === 0) throw new DatasetFormatError(`${ANNOTATIONS_DIR}/${PAIRS_FILE}`, 'no pairs file (<subset>/annotations/pairs.txt)');
  const collector = new LabelCollector();
  const matcher = new ImageMatcher(ctx.images);
  const frames: FrameAnnotations[] = [];
  for (const pairsPath of pairFiles) {
    const annDir = pairsPath.slice(0, -PAIRS_FILE.length);
    const subsetDir = annDir.slice(0, -(ANNOTATIONS_DIR.length + 1));
    const subset = subsetDir ? subsetDir.slice(0, -1).split('/').pop()! : undefined;
    const datasetDir = subsetDir ? subsetDir.slice(0, subsetDir.slice(0, -1).lastIndexOf('/') + 1) : '';
    const labels = await readLabels(source, datasetDir, `${annDir}${PEOPLE_FILE}`);
    labels.forEach((l) => collector.declare(l));
    const label = (name: string) => {
      if (name && !collector.has(name)) collector.declare(name);
      return name;
    };
    const imagesDir = `${subsetDir}${IMAGES_DIR}/`;
    const images = new Map<string, string>();
    for (const p of paths) if (p.startsWith(imagesDir)) images.set(stripExtension(p.slice(imagesDir.length)), p.slice(imagesDir.length));

    const items = new Map<string, Item>();
    const itemFor = (id: string, image: string | undefined, person: string | null): Item => {
      let it = items.get(id);
      if (!it) {
        it = { id, ...(image !== undefined ? { image } : {}), pairs: { [POSITIVE]: [], [NEGATIVE]: [] }, shapes: [] };
        if (person) it.tag = { label: label(person), group: 0, source: 'file', attributes: {} };
        items.set(id, it);
      }
      return it;
    };
    const addPair = (it: Item, kind: typeof POSITIVE | typeof NEGATIVE, other: string, line: number) => {
      if (!it.tag) throw new DatasetFormatError(pairsPath, `image "${it.id}" has no person to hold its pairs`, { line });
      it.pairs[kind].push(other);
    };

    (await source.text(pairsPath)).split(/\r?\n/).forEach((raw, i) => {
      const pair = raw.trim().split('\t');
      const line = i + 1;
      if (pair.length === 1 && pair[0] !== '') {
        const parts = pair[0]!.split('/');
        const person = parts.length > 1 ? parts[0]! : null;
        itemFor(person ? pair[0]!.slice(person.length + 1) : pair[0]!, pair[0]!, person);
      } else if (pair.length === 3) {
        const [person, n1, n2] = pair as [string, string, string];
        const a = imageName(person, n1), b = imageName(person, n2);
        const first = itemFor(a.id, a.image, person);
        itemFor(b.id, b.image, person);
        addPair(first, POSITIVE, b.image, line);
      } else if (pair.length === 4) {
        const [person1, n1, person2, n2] = pair as [string, string, string, string];
        const a = imageName(person1, n1);
        const b = person2 === '-' ? { image: n2, id: n2 } : imageName(person2, n2);
        const first = itemFor(a.id, a.image, person1);
        itemFor(b.id, b.image, person2 === '-' ? null : person2);
        addPair(first, NEGATIVE, b.image, line);
      }
    });

    const landmarksPath = `${annDir}${LANDMARKS_FILE}`;
    if (paths.includes(landmarksPath)) {
      (await source.text(landmarksPath)).split(/\r?\n/).forEach((raw, i) => {
        if (raw.trim() === '') return;
        const parts = raw.replace(/\r$/, '').split('\t');
        const path = stripExtension(parts[0]!);
        const dirs = path.split('/');
        const person = dirs.length > 1 ? dirs[0]! : '';
        const id = person ? path.slice(person.length + 1) : path;
        const it = itemFor(id, path, null);
        const at = { file: landmarksPath, line: i + 1 };
        const values = parts.slice(1).map((v, k) => parseFloatField(v.trim(), `coordinate ${k + 1}`, at));
        if (values.length === 0 || values.length % 2) throw new DatasetFormatError(landmarksPath, `${values.length} coordinates; expected x y pairs`, at);
        if (!person) throw new DatasetFormatError(landmarksPath, `"${parts[0]}" names no person folder for the landmarks' label`, at);
        it.shapes.push({
          type: 'points', label: label(person), group: 0, source: 'file', attributes: {}, points: values,
          rotation: 0, occluded: false, outside: false, z_order: 0,
        });
      });
    }

    const named = new Set([...items.values()].map((it) => it.image).filter((p) => p !== undefined));
    for (const image of images.keys()) if (!named.has(image)) itemFor(image, image, null);

    for (const it of items.values()) {
      const file = it.image !== undefined ? images.get(it.image) : undefined;
      const name = it.id + (file ? file.slice(stripExtension(file).length) : '.jpg');
      const match = matcher.match(name);
      const tags: DatasetTag[] = [];
      if (it.tag) {
        for (const kind of [POSITIVE, NEGATIVE] as const) {
          if (it.pairs[kind].length) {
            it.tag.attributes[kind] = pyListRepr(it.pairs[kind]);
            collector.attribute(it.tag.label, kind, 'text');
          }
        }
        tags.push(it.tag);
      }
      frames.push({
        image: { frame: -1, name, width: match?.width ?? 0, height: match?.height ?? 0, ...(subset && subset !== 'default' ? { subset } : {}) },
        shapes: it.shapes,
        tags,
      });
    }
  }
  return { labels: collector.result(), frames, tracks: [] };
}

async function readLabels(source: ImportSource, datasetDir: string, peoplePath: string): Promise<string[]> {
  const meta = await metaLabels(source, datasetDir);
  if (meta) return meta;
  if (!source.paths().includes(peoplePath)) return [];
  const out: string[] = [];
  for (const line of (await source.text(peoplePath)).split(/\r?\n/)) {
    const fields = line.trim().split('\t');
    if (fields.length === 2 && !out.includes(fields[0]!)) out.push(fields[0]!);
  }
  return out;
}
