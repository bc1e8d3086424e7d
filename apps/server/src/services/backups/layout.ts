/**
 * CVAT's backup archive layout (cvat/apps/engine/backup.py, format version 1.0), shared by the
 * writer and the reader. A task backup holds `task.json` (the task's fields, labels by name, the
 * data parameters and the jobs), `annotations.json` (one entry per job: tags, shapes and tracks
 * with label and attribute names instead of ids) and `data/` (the media and a manifest.jsonl).
 * A project backup holds `project.json` and one such task backup per task under `task_<n>/`.
 *
 * Quality control travels as CVAT's does: `consensus_replicas` in task.json, every job listed
 * (ground-truth and consensus replica jobs too, each with its annotations), a ground-truth job's
 * `frames`, and for honeypots `data.validation_layout` with the pool's file names, each job's
 * `files` (honeypots named by the image they show) and a manifest with one line per task frame.
 * What CVAT's layout has no place for (quality and consensus settings, a ground-truth job's
 * disabled frames) goes in `quality.json`, a Framewise file beside task.json (and project.json)
 * that CVAT's importer never reads.
 *
 * Reading is as lenient as CVAT's own importer about what it ignores (unknown keys are dropped)
 * and strict about what it uses: a bad field fails the restore naming the file and the field.
 */
import { unbindSkeletonSvg } from '@framewise/core';
import { z } from 'zod';
import { JOB_STAGES, JOB_STATES } from '../../dtos/job.dto.js';
import type { LabelWrite } from '../../dtos/label.dto.js';
import type { LabelRecord } from '../../repositories/label.repository.js';
import { ExpectedFailure } from '../request-runner.js';

export const BACKUP_VERSION = '1.0';
export const TASK_FILE = 'task.json';
export const PROJECT_FILE = 'project.json';
export const ANNOTATIONS_FILE = 'annotations.json';
export const DATA_DIR = 'data/';
export const MEDIA_MANIFEST = 'manifest.jsonl';
/** CVAT's index of its manifest: never media, never needed to restore. */
export const MEDIA_MANIFEST_INDEX = 'index.json';
/** Framewise's quality-control settings of a task or project (see quality-file.ts). */
export const QUALITY_FILE = 'quality.json';
export const TASK_DIR = /^task_(\d+)\/$/;

const attributeSchema = z.object({
  name: z.string().min(1),
  mutable: z.boolean().default(false),
  input_type: z.string(),
  default_value: z.string().default(''),
  values: z.array(z.string()).default([]),
});

const sublabelSchema = z.object({
  name: z.string().min(1),
  color: z.string().optional(),
  type: z.string().optional(),
  attributes: z.array(attributeSchema).default([]),
});

const labelSchema = z.object({
  name: z.string().min(1),
  color: z.string().optional(),
  type: z.string().optional(),
  svg: z.string().nullable().optional(),
  attributes: z.array(attributeSchema).default([]),
  sublabels: z.array(sublabelSchema).default([]),
});
export type BackupLabel = z.infer<typeof labelSchema>;

const frameNumber = z.number().int().min(0);

const jobSchema = z.object({
  start_frame: frameNumber,
  stop_frame: frameNumber,
  /** CVAT's job status: annotation, validation or completed. */
  status: z.string().optional(),
  /** Framewise writes stage and state too; CVAT derives them from status. */
  stage: z.enum(JOB_STAGES).optional(),
  state: z.enum(JOB_STATES).optional(),
  type: z.string().default('annotation'),
  /** The job's files, with custom segments (job_file_mapping) and in a task with honeypots. */
  files: z.array(z.string()).optional(),
  /** A ground-truth job's frames, when it takes some frames of its range (validation mode "gt"). */
  frames: z.array(frameNumber).optional(),
});
export type BackupJob = z.infer<typeof jobSchema>;

const dataSchema = z.object({
  chunk_size: z.number().int().min(1).max(10_000).nullable().optional(),
  image_quality: z.number().int().min(1).max(100).default(70),
  start_frame: frameNumber.optional(),
  stop_frame: frameNumber.optional(),
  frame_filter: z.string().optional(),
  chunk_type: z.string().optional(),
  storage_method: z.string().optional(),
  storage: z.enum(['local', 'share', 'cloud_storage']).default('local'),
  sorting_method: z.enum(['lexicographical', 'natural', 'predefined', 'random']).default('lexicographical'),
  deleted_frames: z.array(frameNumber).default([]),
  custom_segments: z.boolean().optional(),
  /** Framewise: the storage the media stays in, for a lightweight backup of a cloud-storage task. */
  cloud_storage_id: z.number().int().positive().nullable().optional(),
  /** Honeypots (CVAT writes it for mode "gt_pool" only): the pool's files, in frame order. */
  validation_layout: z
    .object({
      mode: z.enum(['gt', 'gt_pool']),
      frames: z.array(z.string()).default([]),
      frames_per_job_count: z.number().int().min(0).nullable().optional(),
    })
    .nullable()
    .optional(),
});
export type BackupData = z.infer<typeof dataSchema>;

const taskSchema = z.object({
  name: z.string().trim().min(1).max(256),
  bug_tracker: z.string().nullable().optional(),
  status: z.enum(['annotation', 'validation', 'completed']).default('annotation'),
  subset: z.string().nullable().optional(),
  labels: z.array(labelSchema).default([]),
  version: z.string(),
  data: dataSchema,
  jobs: z.array(jobSchema).min(1),
  /** Framewise writes the task's own; CVAT's backups leave them to be read from the jobs. */
  segment_size: z.number().int().min(0).nullable().optional(),
  overlap: z.number().int().min(0).nullable().optional(),
  /** Replica jobs per annotation job; CVAT writes it for consensus tasks only. */
  consensus_replicas: z.number().int().min(0).optional(),
});
export type BackupTask = z.infer<typeof taskSchema>;

const projectSchema = z.object({
  name: z.string().trim().min(1).max(256),
  bug_tracker: z.string().nullable().optional(),
  status: z.enum(['annotation', 'validation', 'completed']).default('annotation'),
  labels: z.array(labelSchema).default([]),
  version: z.string(),
});
export type BackupProject = z.infer<typeof projectSchema>;

/** `text` (the content of `file`) parsed as JSON, or a failure naming the file. */
export function parseJsonFile(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ExpectedFailure(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** quality.json: Framewise's; every part is optional, and unknown keys are dropped. */
const qualityFileSchema = z.object({
  version: z.string(),
  /** CVAT's QualitySettings fields, checked as a PATCH of them is when restored. */
  quality_settings: z.record(z.string(), z.unknown()).optional(),
  consensus_settings: z.record(z.string(), z.unknown()).optional(),
  validation_layout: z.object({ disabled_frames: z.array(frameNumber).default([]) }).optional(),
});
export type QualityFile = z.infer<typeof qualityFileSchema>;

function checked<T>(schema: z.ZodType<T>, file: string, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new ExpectedFailure(`${file}: ${where}${issue.message}`);
  }
  const version = (parsed.data as { version: string }).version;
  if (version !== BACKUP_VERSION) throw new ExpectedFailure(`${file}: version "${version}" is not supported; this server reads backups of version ${BACKUP_VERSION}`);
  return parsed.data;
}

export function readTaskManifest(file: string, text: string): BackupTask {
  return checked(taskSchema, file, parseJsonFile(file, text));
}

export function readProjectManifest(file: string, text: string): BackupProject {
  return checked(projectSchema, file, parseJsonFile(file, text));
}

export function readQualityFile(file: string, text: string): QualityFile {
  return checked(qualityFileSchema, file, parseJsonFile(file, text));
}

/** A label as backups carry it: by name, the skeleton drawing naming its points instead of their ids. */
export function labelToBackup(l: LabelRecord): BackupLabel & { svg: string } {
  const attributes = (r: LabelRecord) =>
    r.attributes.map((a) => ({ name: a.name, mutable: a.mutable, input_type: a.input_type, default_value: a.default_value, values: a.values }));
  return {
    name: l.name,
    color: l.color,
    type: l.type,
    svg: l.sublabels.length ? unbindSkeletonSvg(l.svg, l.sublabels) : '',
    attributes: attributes(l),
    sublabels: l.sublabels.map((s) => ({ name: s.name, color: s.color, type: s.type, attributes: attributes(s) })),
  };
}

/** A backup's label as a label write (the label service binds the drawing's point names to ids). */
export function labelFromBackup(l: BackupLabel): LabelWrite {
  return {
    name: l.name,
    ...(l.color ? { color: l.color } : {}),
    ...(l.type ? { type: l.type } : {}),
    attributes: l.attributes,
    ...(l.sublabels.length
      ? {
          sublabels: l.sublabels.map((s) => ({ name: s.name, ...(s.color ? { color: s.color } : {}), ...(s.type ? { type: s.type } : {}), attributes: s.attributes })),
          ...(l.svg ? { svg: l.svg } : {}),
        }
      : {}),
  };
}

/** A job's stage and state from a backup: Framewise's own fields, else derived from CVAT's status. */
export function jobProgress(job: BackupJob): { stage: (typeof JOB_STAGES)[number]; state: (typeof JOB_STATES)[number] } {
  if (job.stage && job.state) return { stage: job.stage, state: job.state };
  switch (job.status) {
    case 'completed':
      return { stage: job.stage ?? 'acceptance', state: job.state ?? 'completed' };
    case 'validation':
      return { stage: job.stage ?? 'validation', state: job.state ?? 'new' };
    default:
      return { stage: job.stage ?? 'annotation', state: job.state ?? 'new' };
  }
}

export const JOB_TYPES = ['annotation', 'ground_truth', 'consensus_replica'] as const;

/** The jobs the task's segments make (the others: its ground-truth job, and replicas of these). */
export function isAnnotationJob(job: BackupJob): boolean {
  return job.type === 'annotation';
}

/** CVAT's image manifest: a version line, a type line, then one line per image. */
export function imageManifest(images: Array<{ name: string; width: number; height: number; checksum?: string }>): string {
  const lines = [JSON.stringify({ version: '1.1' }), JSON.stringify({ type: 'images' })];
  for (const im of images) {
    const dot = im.name.lastIndexOf('.');
    const slash = im.name.lastIndexOf('/');
    const cut = dot > slash + 1 ? dot : im.name.length;
    lines.push(
      JSON.stringify({
        name: im.name.slice(0, cut),
        extension: im.name.slice(cut),
        width: im.width,
        height: im.height,
        meta: { related_images: [] },
        ...(im.checksum ? { checksum: im.checksum } : {}),
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** CVAT's video manifest, less its keyframe lines (readers index keyframes themselves). */
export function videoManifest(video: { name: string; width: number; height: number; frameCount: number }): string {
  return [
    JSON.stringify({ version: '1.0' }),
    JSON.stringify({ type: 'video' }),
    JSON.stringify({ properties: { name: video.name, resolution: [video.width, video.height], length: video.frameCount } }),
  ].join('\n') + '\n';
}

export type MediaManifest = { type: 'images'; names: string[] } | { type: 'video'; name: string } | null;

/** The media a manifest.jsonl names, in its order (CVAT's image order is the manifest's). */
export function parseMediaManifest(file: string, text: string): MediaManifest {
  const names: string[] = [];
  let type: 'images' | 'video' | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let item: { type?: unknown; name?: unknown; extension?: unknown; properties?: { name?: unknown } };
    try {
      item = JSON.parse(line);
    } catch {
      throw new ExpectedFailure(`${file}:${i + 1}: not a JSON line`);
    }
    if (item.type === 'images' || item.type === 'video') type = item.type;
    else if (type === 'video' && typeof item.properties?.name === 'string') return { type: 'video', name: item.properties.name };
    else if (type === 'images' && typeof item.name === 'string') names.push(item.name + (typeof item.extension === 'string' ? item.extension : ''));
  }
  return type === 'images' ? { type, names } : null;
}

/** A backup's default file name, as CVAT builds it: task_<name>_backup_<date>_<time>.zip. */
export function backupFileName(kind: 'task' | 'project', name: string, at = new Date()): string {
  const slug = name.normalize('NFKD').replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64) || kind;
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getUTCFullYear()}_${p(at.getUTCMonth() + 1)}_${p(at.getUTCDate())}_${p(at.getUTCHours())}_${p(at.getUTCMinutes())}_${p(at.getUTCSeconds())}`;
  return `${kind}_${slug}_backup_${stamp}.zip`;
}
