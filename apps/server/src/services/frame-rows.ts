/**
 * Frame rows (where a frame's original lives, its name and size) read a page at a time and kept
 * in a small LRU. A task's frames never change once its data is ready (CVAT allows no second
 * upload, task ids are never reused), so caching them is exact, even with several instances; it
 * saves a query per cold frame: a browser reading a job in order costs one query per page.
 */
import type { FrameRow } from '../db/schema.js';
import type { FrameRepository } from '../repositories/frame.repository.js';

const PAGE = 64;
const MAX_PAGES = 512;

export class FrameRowCache {
  private readonly pages = new Map<string, Promise<FrameRow[]>>();

  constructor(private readonly frames: FrameRepository) {}

  /** The row of frame `number` of a task whose data is ready; undefined when there is none. */
  async get(taskId: number, number: number): Promise<FrameRow | undefined> {
    const first = Math.floor(number / PAGE) * PAGE;
    const key = `${taskId}:${first}`;
    let page = this.pages.get(key);
    if (page) {
      // Refresh its place in the LRU order.
      this.pages.delete(key);
      this.pages.set(key, page);
    } else {
      page = this.frames.range(taskId, first, first + PAGE - 1);
      this.pages.set(key, page);
      page.catch(() => this.pages.delete(key));
      if (this.pages.size > MAX_PAGES) this.pages.delete(this.pages.keys().next().value!);
    }
    return (await page).find((r) => r.frame === number);
  }

}
