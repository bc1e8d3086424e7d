/**
 * The dataset model every format codec reads and writes: annotations keyed by label and attribute
 * *names* (files name labels; ids are the server's business), images by file name. The server
 * converts between this and its id-based annotations; codecs never see ids or storage.
 *
 * Codecs are pure: they get files through `ImportSource`, write through `ExportSink`, decode and
 * encode PNG through the injected `RasterCodec`, and report what they could not express through
 * `ExportReport`. So the same code runs in the server's worker and could preview in a browser.
 */
import type { AttributeSpec, LabelType } from '../labels.js';
import type { ShapeType, Source } from '../annotations/types.js';

/** Attribute values by attribute name. Values are strings, as in CVAT's wire format. */
export type AttributeMap = Record<string, string>;

export interface DatasetLabel {
  name: string;
  type: LabelType;
  /** '#rrggbb'; absent when the file gives none (the server then picks one). */
  color?: string;
  attributes: AttributeSpec[];
  /** Skeleton points, in order; only for type 'skeleton'. */
  sublabels?: DatasetLabel[];
  /** Skeleton drawing with `data-label-name` on each element (no ids). */
  svg?: string;
}

/** One image (frame) of the dataset. */
export interface DatasetImage {
  /** The task's frame number; on import, the position in the file when it gives one, else -1. */
  frame: number;
  /**
   * File name as the task knows it, relative, with extension and '/' separators
   * (e.g. "train/0001.jpg"). Imports match items to task frames by this name, with and without
   * extension and leading directories (see `matchImage` in match.ts).
   */
  name: string;
  width: number;
  height: number;
  /** Dataset subset ("train", "val", ...); undefined means the default subset. */
  subset?: string;
}

interface ObjectFields {
  label: string;
  group: number;
  source: Source;
  attributes: AttributeMap;
}

export interface Geometry {
  type: ShapeType;
  /** Same encoding as the annotation model (see ShapeGeometry.points); masks in CVAT's RLE. */
  points: number[];
  rotation: number;
  occluded: boolean;
  outside: boolean;
  z_order: number;
}

export interface DatasetShape extends ObjectFields, Geometry {
  score?: number;
  /** Skeleton points: one point shape per sublabel (label = the sublabel's name). */
  elements?: DatasetShape[];
  /**
   * Set when the shape is a track seen at this frame (export of image formats flattens tracks):
   * the track's id, stable over frames, and whether this frame is one of its keyframes.
   */
  track_id?: number;
  keyframe?: boolean;
}

export type DatasetTag = ObjectFields;

/** Everything annotated on one image. */
export interface FrameAnnotations {
  image: DatasetImage;
  shapes: DatasetShape[];
  tags: DatasetTag[];
}

export interface DatasetTrackShape extends Geometry {
  frame: number;
  /** Mutable attributes at this keyframe. */
  attributes: AttributeMap;
  /** False for interpolated frames when a format writes every frame (CVAT for video). */
  keyframe: boolean;
}

export interface DatasetTrack extends ObjectFields {
  id: number;
  shapes: DatasetTrackShape[];
  /** Skeleton tracks: one sub-track per sublabel. */
  elements?: DatasetTrack[];
}

/** What an exporter is given. Frames arrive in frame order, streamed: never all at once. */
export interface ExportInput {
  /** Task, job or project name (some formats write it into their metadata). */
  name: string;
  labels: DatasetLabel[];
  /**
   * Every frame of the exported range, annotated or not, with tracks flattened into shapes
   * (track_id set; shapes outside their track are left out).
   */
  frames: AsyncIterable<FrameAnnotations>;
  /**
   * The same tracks unflattened, for formats that keep tracks (CVAT for video, MOT, Datumaro):
   * each with its keyframes only, in frame order. Loaded whole: tracks are few next to shapes.
   */
  tracks: DatasetTrack[];
  /** Frames with their images copied into the archive (CVAT's save_images). */
  saveImages: boolean;
  /** Frame count and the task's mode, for formats that record them. */
  meta: { size: number; mode: 'annotation' | 'interpolation'; createdAt?: string };
}

/** A chunk of a file being written. */
export type FileContent = string | Uint8Array | AsyncIterable<string | Uint8Array>;

/** Where an exporter writes. Paths are archive-relative with '/' separators. */
export interface ExportSink {
  file(path: string, content: FileContent): Promise<void>;
  /** Copies the frame's original image into the archive at `path` (only when saveImages). */
  image(image: DatasetImage, path: string): Promise<void>;
}

/** Collects what the format could not express, for the archive's report and the request message. */
export interface ExportReport {
  /** `what` is a stable short description ("ellipse shapes"); repeated calls are counted. */
  dropped(what: string, frame: number | null, reason: string): void;
  /** Things converted rather than dropped (e.g. "rotated rectangle written as its bounding box"). */
  converted(what: string, frame: number | null, how: string): void;
}

/** Files of an uploaded dataset (an extracted archive, or a single annotation file). */
export interface ImportSource {
  /** Every file path, relative, '/' separators, sorted. */
  paths(): readonly string[];
  text(path: string): Promise<string>;
  bytes(path: string): Promise<Uint8Array>;
}

export interface Raster {
  width: number;
  height: number;
  /** 1 (gray or palette index), 3 (RGB) or 4 (RGBA) bytes per pixel, row-major. */
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

/** PNG decoding and encoding, supplied by the host (sharp on the server). */
export interface RasterCodec {
  /**
   * Decodes a PNG. For palette PNGs `indexed: true` returns palette indexes as one channel
   * (VOC and Cityscapes masks store class ids there); otherwise pixels are expanded.
   */
  decodePng(bytes: Uint8Array, options?: { indexed?: boolean }): Promise<Raster>;
  /**
   * Encodes; a `palette` (RGB triples) writes an indexed PNG from a 1-channel raster, in that
   * order; a 1-channel raster without one is written as a grayscale PNG.
   */
  encodePng(raster: Raster, options?: { palette?: ReadonlyArray<readonly [number, number, number]> }): Promise<Uint8Array>;
  /** 16-bit grayscale PNGs (Cityscapes, KITTI and MOTS id masks), sample values unscaled. */
  decodePng16?(bytes: Uint8Array): Promise<Raster16>;
  encodePng16?(raster: Raster16): Promise<Uint8Array>;
}

/** One channel of 16-bit samples, row-major. */
export interface Raster16 {
  width: number;
  height: number;
  data: Uint16Array;
}

/** What an importer returns. */
export interface ParsedDataset {
  /** Labels the files declare or use, in the files' order, with attributes seen. */
  labels: DatasetLabel[];
  /** Per image; `image.name` as the file names it, `frame` -1 unless the format numbers frames. */
  frames: FrameAnnotations[];
  tracks: DatasetTrack[];
}

export interface ImportContext {
  raster: RasterCodec;
  /**
   * The task's images (name, size, frame), when importing into a task: formats that store
   * normalized coordinates (YOLO) or omit sizes need them. Empty when creating a project from
   * a dataset, where the images come from the archive.
   */
  images: readonly DatasetImage[];
  /**
   * The labels of the task or project being imported into, when there is one: formats that name
   * only classes or point indexes (YOLO Pose keypoints) take their names from here.
   */
  labels?: readonly DatasetLabel[];
}

export interface ExportContext {
  raster: RasterCodec;
  report: ExportReport;
}

/** A format, as `GET /api/server/annotation/formats` lists it. */
export interface FormatCodec {
  /** CVAT's display name, e.g. "COCO 1.0". */
  name: string;
  /** File extension of what it produces and accepts: "ZIP", "XML, ZIP", "JSON, ZIP". */
  ext: string;
  /** Works on video tasks' frames as well ('*') or only on image tasks? CVAT's `dimension`. */
  dimension: '2d' | '3d';
  export?: (input: ExportInput, sink: ExportSink, ctx: ExportContext) => Promise<void>;
  import?: (source: ImportSource, ctx: ImportContext) => Promise<ParsedDataset>;
}

/**
 * A file that cannot be read, named precisely: the file, and the line (text, XML) or JSON path
 * where reading stopped. The server answers it as 400 `bad_dataset`.
 */
export class DatasetFormatError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly where?: { line?: number; path?: string },
  ) {
    const at = where?.line !== undefined ? `:${where.line}` : where?.path ? ` at ${where.path}` : '';
    super(`${file}${at}: ${message}`);
    this.name = 'DatasetFormatError';
  }
}
