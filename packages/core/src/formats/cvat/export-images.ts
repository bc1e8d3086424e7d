/**
 * CVAT for images 1.1: annotations.xml with one <image> per frame (empty ones included), shapes
 * in z_order then tags, as cvat.py dump_as_cvat_annotation writes them; images under images/.
 * Track shapes are written as plain shapes on each frame they show on: this format has no tracks.
 *
 * Differences from CVAT, all for lack of information in the export input: <meta> holds only what
 * we know (no ids, owner, segments or <dumped> time, so exports are reproducible); frames keep the
 * task's numbering from 0; an image with a subset gets a `subset` attribute as in CVAT's project
 * layout. Shape scores are not part of the format and are reported when they are not 1.
 */
import type { DatasetImage, DatasetShape, DatasetTag, ExportContext, ExportInput, ExportSink, FrameAnnotations } from '../model.js';
import { LabelSpecs } from './label-specs.js';
import { CVAT_FOOTER, cvatHeader } from './meta.js';
import { XML_TAG, attributeLines, closeTag, geometryAttrs, geometryProblem, openTag } from './shape-xml.js';

export function imagePath(image: DatasetImage): string {
  return image.subset ? `images/${image.subset}/${image.name}` : `images/${image.name}`;
}

class ImageWriter {
  private readonly tracksReported = new Set<number>();

  constructor(private readonly specs: LabelSpecs, private readonly ctx: ExportContext) {}

  frame(f: FrameAnnotations): string {
    const { image } = f;
    const attrs: Array<[string, string]> = [['id', String(image.frame)], ['name', image.name]];
    if (image.subset) attrs.push(['subset', image.subset]);
    attrs.push(['width', String(image.width)], ['height', String(image.height)]);
    let s = openTag('image', attrs, 1);
    // CVAT sorts a frame's shapes by z_order (stable), then writes its tags.
    const shapes = f.shapes.map((shape, i) => ({ shape, i })).sort((a, b) => a.shape.z_order - b.shape.z_order || a.i - b.i);
    for (const { shape } of shapes) s += this.shape(shape, image.frame);
    for (const tag of f.tags) s += this.tag(tag);
    return s + closeTag('image', 1);
  }

  private shape(shape: DatasetShape, frame: number, parent?: string): string {
    const problem = geometryProblem(shape.type, shape.points);
    if (problem) {
      this.ctx.report.dropped(`${shape.type} shapes with invalid points`, frame, problem);
      return '';
    }
    if (shape.track_id !== undefined && parent === undefined && !this.tracksReported.has(shape.track_id)) {
      this.tracksReported.add(shape.track_id);
      this.ctx.report.converted('tracks', frame, 'written as separate shapes on every frame they show on (CVAT for images has no tracks)');
    }
    if (shape.score !== undefined && shape.score !== 1) {
      this.ctx.report.dropped('shape scores', frame, 'CVAT XML has no scores');
    }
    const element = parent !== undefined;
    const level = element ? 3 : 2;
    const attrs: Array<[string, string]> = [['label', shape.label], ['source', shape.source]];
    if (element) attrs.push(['outside', shape.outside ? '1' : '0']);
    if (shape.type !== 'skeleton') attrs.push(['occluded', shape.occluded ? '1' : '0']);
    attrs.push(...geometryAttrs(shape.type, shape.points, shape.rotation));
    if (!element) attrs.push(['z_order', String(shape.z_order)]);
    if (shape.group) attrs.push(['group_id', String(shape.group)]);
    const tag = XML_TAG[shape.type];
    let s = openTag(tag, attrs, level);
    if (shape.type === 'skeleton') for (const e of shape.elements ?? []) s += this.shape(e, frame, shape.label);
    const label = this.specs.find(shape.label, parent);
    s += attributeLines(shape.attributes, label, this.specs, level + 1);
    return s + closeTag(tag, level);
  }

  private tag(tag: DatasetTag): string {
    const attrs: Array<[string, string]> = [['label', tag.label], ['source', tag.source]];
    if (tag.group) attrs.push(['group_id', String(tag.group)]);
    return openTag('tag', attrs, 2) + attributeLines(tag.attributes, this.specs.label(tag.label), this.specs, 3) + closeTag('tag', 2);
  }
}

export async function exportCvatImages(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const writer = new ImageWriter(new LabelSpecs(input.labels), ctx);
  // Images are copied after the XML: a sink writes one archive entry at a time.
  const images: DatasetImage[] = [];
  async function* xml(): AsyncGenerator<string> {
    yield cvatHeader(input);
    for await (const frame of input.frames) {
      if (input.saveImages) images.push(frame.image);
      yield writer.frame(frame);
    }
    yield CVAT_FOOTER;
  }
  await sink.file('annotations.xml', xml());
  for (const image of images) await sink.image(image, imagePath(image));
}
