/**
 * ICDAR Recognition 1.0 (Datumaro's icdar_word_recognition), a word image per line:
 * `<subset>/gt.txt` with `<image>, "<text>"`, images at `<subset>/images/<image>`.
 *
 * Export: the text is the "text" attribute of the image's tags and shapes (CVAT turns every
 * object with one into a caption); the first is written, later ones are reported (Datumaro
 * concatenates them into one unreadable field), so are objects without text and the geometry of
 * shapes, which the format has no place for.
 * Import: each line's text becomes a tag "icdar" with a "text" attribute, as CVAT does; lines may
 * have no text (`<image>, `). Backslashes are removed from texts as Datumaro removes them.
 */
import { ImageMatcher } from '../match.js';
import { DatasetFormatError, type ExportContext, type ExportInput, type ExportSink, type FrameAnnotations, type ImportContext, type ImportSource, type ParsedDataset } from '../model.js';
import { writeFrames } from '../widerface/stream-files.js';
import { DEFAULT_SUBSET, ICDAR_LABEL, IMAGES_DIR, icdarItem, subsetField, textOf } from './common.js';

export async function exportRecognition(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const labels = new Map(input.labels.map((l) => [l.name, l]));
  await writeFrames(input.frames, sink, (frame, out) => {
    const f = frame.image.frame;
    const item = icdarItem(frame.image);
    if (input.saveImages) out.image(frame.image, `${item.subset}/${IMAGES_DIR}/${item.file}`);
    const texts: string[] = [];
    for (const t of frame.tags) {
      const text = textOf(t, labels, false);
      if (text === undefined) ctx.report.dropped('tags without a text attribute', f, 'ICDAR Recognition keeps texts only');
      else texts.push(text);
    }
    for (const s of frame.shapes) {
      const text = textOf(s, labels, true);
      if (text === undefined) ctx.report.dropped(`${s.type} shapes without a text attribute`, f, 'ICDAR Recognition keeps texts only');
      else {
        ctx.report.dropped(`${s.type} shapes`, f, 'ICDAR Recognition keeps the text of an image, not where it is; the text is written');
        texts.push(text);
      }
    }
    texts.slice(1).forEach(() => ctx.report.dropped('texts after the first of an image', f, 'ICDAR Recognition holds one text per word image'));
    let text = texts[0];
    if (text !== undefined && /, |[\r\n\\]/.test(text)) {
      ctx.report.dropped('texts with ", ", a line break or a backslash', f, 'they would not read back; the line is written without text');
      text = undefined;
    }
    out.write(`${item.subset}/gt.txt`, `${item.file}, ${text !== undefined ? `"${text}"` : ''}\n`);
  });
}

export async function importRecognition(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const files = annotationFiles(source.paths());
  if (files.length === 0) throw new DatasetFormatError('gt.txt', 'no annotation file (<subset>/gt.txt)');
  const matcher = new ImageMatcher(ctx.images);
  const frames: FrameAnnotations[] = [];
  let anyText = false;
  for (const file of files) {
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
    const subset = dir ? dir.slice(dir.lastIndexOf('/') + 1) : DEFAULT_SUBSET;
    const items = new Map<string, FrameAnnotations>();
    (await source.text(file)).split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '') return;
      const parts = line.split(', ');
      let image: string, text: string | undefined;
      if (parts.length === 2) {
        image = parts[0]!;
        const caption = parts[1]!;
        if (caption.length < 2 || !caption.startsWith('"') || !caption.endsWith('"')) {
          throw new DatasetFormatError(file, 'expected <image>, "<text>": the text is not in double quotes', { line: i + 1 });
        }
        text = caption.replace(/\\/g, '').slice(1, -1);
      } else if (parts.length === 1 && line.endsWith(',')) image = line.slice(0, -1);
      else throw new DatasetFormatError(file, 'expected <image>, "<text>"', { line: i + 1 });
      if (image === '') throw new DatasetFormatError(file, 'the image name is empty', { line: i + 1 });
      let frame = items.get(image);
      if (!frame) {
        const match = matcher.match(image);
        frame = { image: { frame: -1, name: image, width: match?.width ?? 0, height: match?.height ?? 0, ...subsetField(subset) }, shapes: [], tags: [] };
        items.set(image, frame);
      }
      if (text !== undefined) {
        anyText = true;
        frame.tags.push({ label: ICDAR_LABEL, group: 0, source: 'file', attributes: { text } });
      }
    });
    frames.push(...items.values());
  }
  const attributes = anyText ? [{ name: 'text', mutable: false, input_type: 'text' as const, default_value: '', values: [] }] : [];
  return { labels: [{ name: ICDAR_LABEL, type: 'any', attributes }], frames, tracks: [] };
}

/** Datumaro takes the .txt files of the shallowest level that has any (`<subset>/gt.txt`). */
function annotationFiles(paths: readonly string[]): string[] {
  const txt = paths.filter((p) => p.toLowerCase().endsWith('.txt') && !p.split('/').includes(IMAGES_DIR));
  const depth = Math.min(...txt.map((p) => p.split('/').length));
  return txt.filter((p) => p.split('/').length === depth);
}
