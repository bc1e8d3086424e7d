/**
 * CVAT for video 1.1: annotations.xml with one <track> per track, holding its shape on every frame
 * from its first keyframe on (keyframe="1" on keyframes, interpolated frames keyframe="0", outside
 * keyframes included), then every standalone shape as a track of its own: the shape on its frame
 * and an outside copy on the next, as cvat.py dump_as_cvat_interpolation writes them.
 *
 * Differences from CVAT: a standalone shape on the next-to-last frame gets its closing outside
 * shape (CVAT's `frame + step < stop_frame` omits it, so the shape would come back on the last
 * frame); <meta> as in CVAT for images. The format has no tags and no scores: both are reported,
 * as are skeletons without points (CVAT writes a skeleton only through them) and shapes or tracks
 * whose points do not fit their type, which are left out.
 */
import type { DatasetImage, DatasetShape, DatasetTrack, ExportContext, ExportInput, ExportSink } from '../model.js';
import { imagePath } from './export-images.js';
import { LabelSpecs } from './label-specs.js';
import { CVAT_FOOTER, cvatHeader, lastFrame } from './meta.js';
import { XML_TAG, attributeLines, closeTag, geometryAttrs, geometryProblem, openTag } from './shape-xml.js';
import { AttributeIds, TrackView, type ElementAt, type TrackShapeAt } from './track-view.js';

const bit = (b: boolean) => (b ? '1' : '0');

class VideoWriter {
  private nextId = 0;
  private readonly ids = new AttributeIds();

  constructor(private readonly specs: LabelSpecs, private readonly ctx: ExportContext, private readonly stop: number) {}

  private open(label: string, source: string, group: number): string {
    const attrs: Array<[string, string]> = [['id', String(this.nextId++)], ['label', label], ['source', source]];
    if (group) attrs.push(['group_id', String(group)]);
    return openTag('track', attrs, 1);
  }

  /** One frame of a track; `own` holds the track's immutable attributes, written after the mutable ones. */
  private shapeXml(s: TrackShapeAt, label: string, own: DatasetTrack['attributes'], elementOwn: Map<string, DatasetTrack['attributes']>): string {
    const spec = this.specs.label(label);
    const values = { ...s.attributes, ...own };
    if (s.type === 'skeleton') {
      // CVAT writes a skeleton frame only where its points have shapes.
      if (s.elements.length === 0) return '';
      let x = openTag('skeleton', [['frame', String(s.frame)], ['keyframe', bit(s.keyframe)], ['z_order', String(s.z_order)]], 2);
      for (const e of s.elements) x += this.elementXml(e, label, elementOwn.get(e.label) ?? {});
      return x + attributeLines(values, spec, this.specs, 3) + closeTag('skeleton', 2);
    }
    const tag = XML_TAG[s.type];
    const attrs: Array<[string, string]> = [
      ['frame', String(s.frame)], ['keyframe', bit(s.keyframe)], ['outside', bit(s.outside)], ['occluded', bit(s.occluded)],
      ...geometryAttrs(s.type, s.points, s.rotation),
      ['z_order', String(s.z_order)],
    ];
    return openTag(tag, attrs, 2) + attributeLines(values, spec, this.specs, 3) + closeTag(tag, 2);
  }

  private elementXml(e: ElementAt, parent: string, own: DatasetTrack['attributes']): string {
    const tag = XML_TAG[e.type];
    const attrs: Array<[string, string]> = [
      ['label', e.label], ['keyframe', bit(e.keyframe)], ['outside', bit(e.outside)], ['occluded', bit(e.occluded)],
      ...geometryAttrs(e.type, e.points, e.rotation),
    ];
    const spec = this.specs.find(e.label, parent);
    return openTag(tag, attrs, 3) + attributeLines({ ...e.attributes, ...own }, spec, this.specs, 4) + closeTag(tag, 3);
  }

  *track(track: DatasetTrack): Generator<string> {
    const bad = [...track.shapes, ...(track.elements ?? []).flatMap((e) => e.shapes)].find((s) => geometryProblem(s.type, s.points));
    if (bad) {
      this.ctx.report.dropped(`${bad.type} tracks with invalid points`, bad.frame, geometryProblem(bad.type, bad.points)!);
      return;
    }
    if (track.shapes[0]?.type === 'skeleton' && !track.elements?.length) {
      this.ctx.report.dropped('skeletons without points', track.shapes[0].frame, 'CVAT writes a skeleton only through its points');
      return;
    }
    const elementOwn = new Map((track.elements ?? []).map((e) => [e.label, e.attributes]));
    yield this.open(track.label, track.source, track.group);
    for (const s of new TrackView(track, this.ids).frames(this.stop)) yield this.shapeXml(s, track.label, track.attributes, elementOwn);
    yield closeTag('track', 1);
  }

  /** A standalone shape as CVAT writes it here: a track shown on its frame and outside on the next. */
  shape(shape: DatasetShape, frame: number): string {
    const problem = geometryProblem(shape.type, shape.points);
    if (problem) {
      this.ctx.report.dropped(`${shape.type} shapes with invalid points`, frame, problem);
      return '';
    }
    if (shape.type === 'skeleton' && !shape.elements?.length) {
      this.ctx.report.dropped('skeletons without points', frame, 'CVAT writes a skeleton only through its points');
      return '';
    }
    if (shape.score !== undefined && shape.score !== 1) this.ctx.report.dropped('shape scores', frame, 'CVAT XML has no scores');
    const at = (f: number, outside: boolean): TrackShapeAt => ({
      frame: f,
      keyframe: true,
      type: shape.type,
      points: shape.points,
      rotation: shape.rotation,
      occluded: shape.occluded,
      outside,
      z_order: shape.z_order,
      attributes: shape.attributes,
      elements: (shape.elements ?? []).map((e) => ({
        label: e.label,
        keyframe: true,
        type: e.type,
        points: e.points,
        rotation: e.rotation,
        occluded: e.occluded,
        outside: outside || e.outside,
        z_order: e.z_order,
        attributes: e.attributes,
      })),
    });
    let s = this.open(shape.label, shape.source, shape.group);
    s += this.shapeXml(at(frame, false), shape.label, {}, new Map());
    if (frame + 1 <= this.stop) s += this.shapeXml(at(frame + 1, true), shape.label, {}, new Map());
    return s + closeTag('track', 1);
  }
}

export async function exportCvatVideo(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const writer = new VideoWriter(new LabelSpecs(input.labels), ctx, lastFrame(input));
  const images: DatasetImage[] = [];
  async function* xml(): AsyncGenerator<string> {
    yield cvatHeader(input);
    for (const track of input.tracks) yield* writer.track(track);
    for await (const frame of input.frames) {
      if (input.saveImages) images.push(frame.image);
      for (const shape of frame.shapes) {
        // Track shapes were written with their tracks.
        if (shape.track_id === undefined) yield writer.shape(shape, frame.image.frame);
      }
      for (const _ of frame.tags) ctx.report.dropped('tags', frame.image.frame, 'CVAT for video has no tags');
    }
    yield CVAT_FOOTER;
  }
  await sink.file('annotations.xml', xml());
  for (const image of images) await sink.image(image, imagePath(image));
}
