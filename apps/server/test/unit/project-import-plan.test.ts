import type { DatasetTrack, FrameAnnotations, ParsedDataset } from '@framewise/core';
import { describe, expect, it } from 'vitest';
import { ArchiveImageIndex, type ArchiveImage } from '../../src/services/datasets/archive-images.js';
import { planSubsetTasks } from '../../src/services/datasets/project-import-plan.js';

const img = (path: string, width = 10, height = 10): ArchiveImage => ({ path, width, height });
const item = (name: string, subset?: string, frame = -1): FrameAnnotations => ({
  image: { frame, name, width: 0, height: 0, ...(subset ? { subset } : {}) },
  shapes: [],
  tags: [],
});
const dataset = (frames: FrameAnnotations[], tracks: DatasetTrack[] = []): ParsedDataset => ({ labels: [], frames, tracks });

/** Per task: subset and [archive path, frame name]. */
function summary(parsed: ParsedDataset, images: ArchiveImage[], read: string[] = []) {
  const plan = planSubsetTasks(parsed, new ArchiveImageIndex(images, new Set(read)));
  return { problems: plan.problems, tasks: plan.tasks.map((t) => [t.subset, t.media.map((m) => [m.path, m.name])]) };
}

describe('planning tasks from a dataset with images', () => {
  it("names frames below the subset's image root, keeping the item's folders (COCO)", () => {
    const images = [img('images/train/b.jpg'), img('images/train/sub/a.jpg'), img('images/val/c.jpg')];
    expect(summary(dataset([item('sub/a.jpg', 'train'), item('b.jpg', 'train'), item('c.jpg', 'val')]), images)).toEqual({
      problems: [],
      tasks: [
        ['train', [['images/train/b.jpg', 'b.jpg'], ['images/train/sub/a.jpg', 'sub/a.jpg']]],
        ['val', [['images/val/c.jpg', 'c.jpg']]],
      ],
    });
  });

  it('takes the common folder when items are named by their whole path (YOLO), and "default" without a subset', () => {
    const images = [img('obj_train_data/x/a.png'), img('obj_train_data/b.png')];
    expect(summary(dataset([item('obj_train_data/x/a.png'), item('obj_train_data/b.png')]), images).tasks).toEqual([
      ['default', [['obj_train_data/b.png', 'b.png'], ['obj_train_data/x/a.png', 'x/a.png']]],
    ]);
  });

  it('tells same-named images apart by the subset folder, and images from the masks the codec read', () => {
    const images = [img('images/Train/img0.jpg'), img('images/Test/img0.jpg'), img('JPEGImages/m.jpg'), img('SegmentationClass/m.png')];
    const parsed = dataset([item('img0.jpg', 'Test'), item('img0.jpg', 'Train'), item('m', 'Val')]);
    expect(summary(parsed, images, ['SegmentationClass/m.png']).tasks).toEqual([
      ['Test', [['images/Test/img0.jpg', 'img0.jpg']]],
      ['Train', [['images/Train/img0.jpg', 'img0.jpg']]],
      ['Val', [['JPEGImages/m.jpg', 'm.jpg']]],
    ]);
  });

  it('names items without an image, and items that match several', () => {
    const images = [img('a/x.png'), img('b/x.png')];
    const { problems, tasks } = summary(dataset([item('x'), item('missing.jpg')]), images);
    expect(tasks).toEqual([]);
    expect(problems).toEqual([
      '1 item(s) have no image in the archive: "missing.jpg"; the archive must include the images of every item',
      'item(s) match several images of the archive: "x" (a/x.png, b/x.png)',
    ]);
  });

  it('gives each track to the subset whose items carry its first frame', () => {
    const track = (id: number, frame: number): DatasetTrack => ({
      id, label: 'car', group: 0, source: 'manual', attributes: {},
      shapes: [{ frame, type: 'rectangle', points: [0, 0, 1, 1], rotation: 0, occluded: false, outside: false, z_order: 0, attributes: {}, keyframe: true }],
    });
    const images = [img('images/a/1.png'), img('images/b/2.png')];
    const plan = planSubsetTasks(dataset([item('1.png', 'a', 0), item('2.png', 'b', 1)], [track(7, 1), track(8, 0), track(9, 5)]), new ArchiveImageIndex(images, new Set()));
    expect(plan.tasks.map((t) => [t.subset, t.dataset.tracks.map((x) => x.id)])).toEqual([['a', [8]], ['b', [7]]]);
    expect(plan.problems).toEqual(['track(s) 9: no item of the dataset carries their frames, so their subset is unknown']);
  });
});
