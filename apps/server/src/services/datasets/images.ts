/**
 * A task's frames as the dataset model names them, for exports and imports alike: image tasks
 * by their file names, video tasks as CVAT names video frames (frame_NNNNNN; the .png is what an
 * export with images stores, and imports match with or without it).
 */
import type { DatasetImage } from '@framewise/core';
import type { FrameRepository } from '../../repositories/frame.repository.js';

export async function taskImages(frames: FrameRepository, taskId: number, start: number, stop: number): Promise<DatasetImage[]> {
  const video = await frames.video(taskId);
  if (video) {
    return Array.from({ length: stop - start + 1 }, (_, i) => ({
      frame: start + i,
      name: `frame_${String(start + i).padStart(6, '0')}.png`,
      width: video.width,
      height: video.height,
    }));
  }
  return (await frames.meta(taskId, start, stop)).map((r) => ({ frame: r.frame, name: r.name, width: r.width, height: r.height }));
}
