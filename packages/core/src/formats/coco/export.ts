/**
 * Writing a COCO dataset as CVAT does: `annotations/<task>_<subset>.json` per subset ("default"
 * for frames without one) and, with saveImages, images at `images/<subset>/<name>`. The JSON is
 * compact, with CVAT's fields and values (see instances.ts), with two differences that come from
 * writing in one pass over the frames:
 *
 * - `annotations` comes before `images` in the top-level object (CVAT writes images first), so
 *   the annotations stream out and only the image list (about 150 bytes an image) is held until
 *   the end. JSON readers do not depend on key order.
 * - image ids count frames in the order they arrive, over all subsets; CVAT numbers one subset's
 *   images after another's. They agree whenever frames of a subset arrive together.
 *
 * The first frame's subset streams; frames of other subsets are serialized and held until it is
 * done. Annotation ids start at 1 in each file, as CVAT's do.
 */
import type { DatasetImage, ExportContext, ExportInput, ExportSink, FrameAnnotations } from '../model.js';
import { frameAnnotations, type CocoTask } from './instances.js';
import { instanceCategories, keypointCategories, labelTable } from './labels.js';

const DEFAULT_SUBSET = 'default';

const HEAD =
  '{"licenses":[{"name":"","id":0,"url":""}],' +
  '"info":{"contributor":"","date_created":"","description":"","url":"","version":"","year":""},';

function subsetOf(image: DatasetImage): string {
  return image.subset || DEFAULT_SUBSET;
}

function imageRecord(image: DatasetImage, id: number): string {
  return (
    `{"id":${id},"width":${Math.trunc(image.width)},"height":${Math.trunc(image.height)},` +
    `"file_name":${JSON.stringify(image.name)},"license":0,"flickr_url":"","coco_url":"","date_captured":0}`
  );
}

/** Annotations and images of one file, as JSON pieces. */
class SubsetFile {
  private nextAnnotationId = 1;
  private wroteAnnotation = false;
  readonly images: string[] = [];

  /** The frame's annotations as a piece of the `annotations` array ('' when none). */
  add(image: DatasetImage, imageId: number, records: readonly string[]): string {
    this.images.push(imageRecord(image, imageId));
    if (records.length === 0) return '';
    const piece = records.map((r) => `{"id":${this.nextAnnotationId++},"image_id":${imageId},${r.slice(1)}`).join(',');
    const sep = this.wroteAnnotation ? ',' : '';
    this.wroteAnnotation = true;
    return sep + piece;
  }

  *tail(): Generator<string> {
    yield '],"images":[';
    for (let i = 0; i < this.images.length; i += 1000) {
      yield (i > 0 ? ',' : '') + this.images.slice(i, i + 1000).join(',');
    }
    yield ']}';
  }
}

export async function exportCoco(task: CocoTask, input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const table = labelTable(input.labels);
  const categories = task === 'instances' ? instanceCategories(table) : keypointCategories(table);
  const head = `${HEAD}"categories":${categories},"annotations":[`;
  const frames = input.frames[Symbol.asyncIterator]();
  const first = await frames.next();
  const streamedSubset = first.done ? DEFAULT_SUBSET : subsetOf(first.value.image);
  const held = new Map<string, { file: SubsetFile; annotations: string[] }>();
  const copies: Array<[DatasetImage, string]> = [];
  let nextImageId = 1;

  async function* streamed(): AsyncGenerator<string> {
    yield head;
    const file = new SubsetFile();
    let current: IteratorResult<FrameAnnotations> = first;
    while (!current.done) {
      const frame = current.value;
      const subset = subsetOf(frame.image);
      const records = frameAnnotations(task, frame, table, ctx.report);
      const imageId = nextImageId++;
      if (input.saveImages) copies.push([frame.image, `images/${subset}/${frame.image.name}`]);
      if (subset === streamedSubset) {
        const piece = file.add(frame.image, imageId, records);
        if (piece) yield piece;
      } else {
        const other = held.get(subset) ?? held.set(subset, { file: new SubsetFile(), annotations: [] }).get(subset)!;
        const piece = other.file.add(frame.image, imageId, records);
        if (piece) other.annotations.push(piece);
      }
      current = await frames.next();
    }
    yield* file.tail();
  }

  await sink.file(`annotations/${task}_${streamedSubset}.json`, streamed());
  for (const [subset, { file, annotations }] of held) {
    await sink.file(`annotations/${task}_${subset}.json`, [head, ...annotations, ...file.tail()].join(''));
  }
  // Images are copied after the JSON: a sink that writes an archive one entry at a time could
  // not take them while the JSON is still being written.
  for (const [image, path] of copies) await sink.image(image, path);
}
