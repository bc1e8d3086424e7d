/**
 * Annotations written to a whole task with honeypots (an import, a task PUT): what lands on a
 * validation frame is its ground truth, and every honeypot showing that frame gets a copy of it;
 * whatever the input says about honeypot frames themselves is dropped, since in a dataset a
 * honeypot is not a frame of its own. Tracks cannot live in such a task: its frames are shuffled.
 */
import type { Annotations, LabeledShape, LabeledTag } from '../annotations/types.js';
import { ValidationSetupError } from './params.js';
import type { HoneypotSlot } from './reselection.js';

type Data = Omit<Annotations, 'version'>;

function copyShape(shape: LabeledShape, frame: number): LabeledShape {
  const { id: _id, ...rest } = shape;
  return { ...rest, frame, elements: shape.elements.map(({ id: _eid, ...e }) => ({ ...e, frame })) };
}

function copyTag(tag: LabeledTag, frame: number): LabeledTag {
  const { id: _id, ...rest } = tag;
  return { ...rest, frame };
}

/** `data` as it is saved in a honeypot task: honeypot frames mirror their validation frames. */
export function mirrorToHoneypots(data: Data, honeypots: readonly HoneypotSlot[]): Data {
  if (data.tracks.length > 0) {
    throw new ValidationSetupError('tracks', 'tracks are not supported when the task validation mode is "gt_pool" (its frames are shuffled); use shapes');
  }
  if (honeypots.length === 0) return data;
  const copiesOf = new Map<number, number[]>();
  const honeypotFrames = new Set<number>();
  for (const h of honeypots) {
    honeypotFrames.add(h.frame);
    const list = copiesOf.get(h.real);
    if (list) list.push(h.frame);
    else copiesOf.set(h.real, [h.frame]);
  }
  const shapes: LabeledShape[] = [];
  const tags: LabeledTag[] = [];
  for (const s of data.shapes) {
    if (honeypotFrames.has(s.frame)) continue;
    shapes.push(s);
    for (const frame of copiesOf.get(s.frame) ?? []) shapes.push(copyShape(s, frame));
  }
  for (const t of data.tags) {
    if (honeypotFrames.has(t.frame)) continue;
    tags.push(t);
    for (const frame of copiesOf.get(t.frame) ?? []) tags.push(copyTag(t, frame));
  }
  return { tags, shapes, tracks: [] };
}

/** Whether `data` has anything on the given frames (the validation frames, for edits CVAT refuses). */
export function touchesFrames(data: Data, frames: ReadonlySet<number>): boolean {
  return data.shapes.some((s) => frames.has(s.frame)) || data.tags.some((t) => frames.has(t.frame)) || data.tracks.some((t) => frames.has(t.frame));
}
