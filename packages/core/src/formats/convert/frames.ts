/**
 * Which task frame a dataset item is. By name first (match.ts: exact, without extension, without
 * leading directories, then the bare stem when only one task image has it), as CVAT's
 * match_dm_item does; when no name matches and the format numbers its items (`image.frame` >= 0:
 * CVAT, MOT, Datumaro), the task frame with that number. A name that matches wins over a number
 * that disagrees with it.
 *
 * Tracks of video formats refer to frames by the file's numbers. Those are turned into task
 * frames by the items: when every matched item's task frame is its file number plus one same
 * offset (0 when no item is numbered), every track frame moves by that offset; otherwise only
 * frame numbers some item carries can be placed.
 */
import { ImageMatcher, baseName, stripExtension } from '../match.js';
import type { DatasetImage } from '../model.js';

export class TaskFrames {
  readonly lastFrame: number;
  private readonly matcher: ImageMatcher;
  private readonly byFrame: ReadonlyMap<number, DatasetImage>;
  private readonly images: readonly DatasetImage[];
  private stems?: Map<string, string[]>;

  constructor(images: readonly DatasetImage[]) {
    this.images = images;
    this.matcher = new ImageMatcher(images);
    this.byFrame = new Map(images.map((i) => [i.frame, i]));
    this.lastFrame = images.reduce((m, i) => Math.max(m, i.frame), -1);
  }

  has(frame: number): boolean {
    return this.byFrame.has(frame);
  }

  match(item: DatasetImage): DatasetImage | null {
    return this.matcher.match(item.name) ?? (item.frame >= 0 ? (this.byFrame.get(item.frame) ?? null) : null);
  }

  /** Why `item` matched no task image, for the problem list. */
  missing(item: DatasetImage): string {
    this.stems ??= this.stemIndex();
    const name = item.name.replace(/\\/g, '/');
    const same = this.stems.get(stripExtension(baseName(name))) ?? [];
    const numbered = item.frame >= 0 ? ` (nor does its frame number ${item.frame})` : '';
    if (same.length > 1) {
      const listed = same.slice(0, 5).map((n) => `"${n}"`).join(', ') + (same.length > 5 ? ', ...' : '');
      return `item "${item.name}" matches ${same.length} images of the task by file name alone (${listed})${numbered}; name it with its directories`;
    }
    return `item "${item.name}" matches no image of the task${numbered}`;
  }

  private stemIndex(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const img of this.images) {
      const stem = stripExtension(baseName(img.name.replace(/\\/g, '/')));
      const list = out.get(stem);
      if (list) list.push(img.name);
      else out.set(stem, [img.name]);
    }
    return out;
  }
}

/** File frame numbers of tracks to task frames, learnt from the numbered items. */
export class FrameNumbers {
  private readonly known = new Map<number, number>();
  private offset: number | null | undefined;

  constructor(private readonly frames: TaskFrames) {}

  note(fileFrame: number, taskFrame: number): void {
    if (!this.known.has(fileFrame)) this.known.set(fileFrame, taskFrame);
    this.offset = undefined;
  }

  private shift(): number | null {
    if (this.offset === undefined) {
      const offsets = new Set([...this.known].map(([file, task]) => task - file));
      this.offset = offsets.size === 0 ? 0 : offsets.size === 1 ? [...offsets][0]! : null;
    }
    return this.offset;
  }

  /** The task frame of a track's `fileFrame`; null when it has none. */
  resolve(fileFrame: number): number | null {
    const offset = this.shift();
    if (offset === null) return this.known.get(fileFrame) ?? null;
    const frame = fileFrame + offset;
    return this.frames.has(frame) ? frame : null;
  }

  /** Whether `fileFrame` lies after the task's last frame (or after every numbered item). */
  beyondEnd(fileFrame: number): boolean {
    const offset = this.shift();
    if (offset !== null) return fileFrame + offset > this.frames.lastFrame;
    let last = -Infinity;
    for (const file of this.known.keys()) last = Math.max(last, file);
    return fileFrame > last;
  }
}
