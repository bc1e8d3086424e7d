/**
 * Builders shared by the VOC, segmentation mask, ImageNet and LabelMe tests: shapes, labels,
 * exports into memory, and files as an import source.
 */
import type { AttributeSpec } from '../../src/labels.js';
import type {
  DatasetLabel, DatasetShape, DatasetTag, ExportInput, FormatCodec, FrameAnnotations, ImportSource, ParsedDataset,
} from '../../src/formats/model.js';
import { ListReport, MemorySink, exportInput, memorySource, sharpRaster } from './harness.js';

export function shape(type: DatasetShape['type'], label: string, points: number[], extra: Partial<DatasetShape> = {}): DatasetShape {
  return {
    type, label, points, group: 0, source: 'manual', attributes: {}, rotation: 0, occluded: false, outside: false, z_order: 0,
    ...extra,
  };
}

export function tag(label: string, attributes: Record<string, string> = {}): DatasetTag {
  return { label, group: 0, source: 'manual', attributes };
}

export function frame(n: number, name: string, shapes: DatasetShape[] = [], tags: DatasetTag[] = [], size = { width: 20, height: 10 }, subset?: string): FrameAnnotations {
  return { image: { frame: n, name, ...size, ...(subset ? { subset } : {}) }, shapes, tags };
}

export function label(name: string, attributes: AttributeSpec[] = [], color?: string): DatasetLabel {
  return { name, type: 'any', attributes, ...(color ? { color } : {}) };
}

export function spec(name: string, input_type: AttributeSpec['input_type'], default_value: string, values: string[]): AttributeSpec {
  return { name, mutable: false, input_type, default_value, values };
}

export interface ExportResult {
  sink: MemorySink;
  report: ListReport;
}

export async function runExport(codec: FormatCodec, input: Partial<Omit<ExportInput, 'frames'>> & { frames: FrameAnnotations[] }): Promise<ExportResult> {
  const sink = new MemorySink();
  const report = new ListReport();
  await codec.export!(exportInput(input), sink, { raster: sharpRaster, report });
  return { sink, report };
}

export async function runImport(codec: FormatCodec, source: ImportSource): Promise<ParsedDataset> {
  return codec.import!(source, { raster: sharpRaster, images: [] });
}

/** Text files (and raw bytes) as an import source. */
export function filesSource(files: Record<string, string | Uint8Array>): ImportSource {
  return memorySource(new Map(Object.entries(files).map(([p, c]) => [p, typeof c === 'string' ? new TextEncoder().encode(c) : c])));
}

/** What an import gives, as the next export's input (frames numbered in file order). */
export function reexportInput(parsed: ParsedDataset, saveImages = false): Partial<Omit<ExportInput, 'frames'>> & { frames: FrameAnnotations[] } {
  return {
    labels: parsed.labels,
    frames: parsed.frames.map((f, i) => ({ ...f, image: { ...f.image, frame: i } })),
    saveImages,
  };
}

/** Counts of `what` in a report, by reason-less key. */
export function reportCounts(report: ListReport): { dropped: Record<string, number>; converted: Record<string, number> } {
  const count = (items: Array<{ what: string }>) => items.reduce<Record<string, number>>((acc, i) => ({ ...acc, [i.what]: (acc[i.what] ?? 0) + 1 }), {});
  return { dropped: count(report.droppedItems), converted: count(report.convertedItems) };
}

export function text(sink: MemorySink): Record<string, string> {
  return Object.fromEntries([...sink.files].filter(([p]) => !p.endsWith('.png')).map(([p, b]) => [p, new TextDecoder().decode(b)]));
}
