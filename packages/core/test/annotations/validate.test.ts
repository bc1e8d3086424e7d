import { describe, expect, it } from 'vitest';
import {
  normalizeAnnotations,
  parseAnnotations,
  validateAnnotations,
  withAttributeDefaults,
  type AnnotationsInput,
  type FrameSet,
  type LabelSchema,
  type Problem,
  type ValidationMode,
} from '../../src/annotations/index.js';
import { HAVE_CVAT_ASSETS, loadAssetPayloads } from './cvat-annotation-assets.js';

const attr = (id: number, name: string, input_type: 'checkbox' | 'radio' | 'number' | 'text' | 'select', values: string[], mutable = false) => ({
  id,
  name,
  input_type,
  values,
  mutable,
  default_value: '',
});

const SCHEMA: LabelSchema = {
  labels: [
    {
      id: 1,
      name: 'car',
      type: 'any',
      attributes: [
        attr(10, 'model', 'select', ['mazda', 'volvo']),
        attr(11, 'speed', 'number', ['0', '100', '0.5'], true),
        attr(12, 'parked', 'checkbox', ['false'], true),
        attr(13, 'note', 'text', ['']),
        attr(14, 'color', 'radio', ['red', 'blue']),
        attr(18, 'ratio', 'number', ['0', '1', '0.1'], true),
      ],
      sublabels: [],
    },
    { id: 2, name: 'box', type: 'rectangle', attributes: [], sublabels: [] },
    { id: 3, name: 'flag', type: 'tag', attributes: [], sublabels: [] },
    { id: 4, name: 'event', type: 'interval', attributes: [], sublabels: [] },
    {
      id: 5,
      name: 'person',
      type: 'skeleton',
      attributes: [attr(17, 'pose', 'select', ['stand', 'sit'])],
      sublabels: [
        { id: 51, name: 'head', type: 'points', attributes: [attr(15, 'visible', 'checkbox', ['true']), attr(16, 'blur', 'number', ['0', '10', '1'], true)], sublabels: [] },
        { id: 52, name: 'hand', type: 'points', attributes: [], sublabels: [] },
        { id: 53, name: 'foot', type: 'points', attributes: [], sublabels: [] },
      ],
    },
    { id: 6, name: 'area', type: 'mask', attributes: [], sublabels: [] },
  ],
};

const FRAMES: FrameSet = { start: 0, stop: 99 };

const rect = (over: Record<string, unknown> = {}) => ({ type: 'rectangle', frame: 0, label_id: 1, points: [0, 0, 10, 10], ...over });
const point = (label_id: number, over: Record<string, unknown> = {}) => ({ type: 'points', frame: 0, label_id, points: [5, 5], ...over });
const skeleton = (elements: unknown[], over: Record<string, unknown> = {}) => ({ type: 'skeleton', frame: 0, label_id: 5, points: [], elements, ...over });
const key = (frame: number, over: Record<string, unknown> = {}) => ({ type: 'rectangle', frame, points: [0, 0, 10, 10], ...over });
const track = (shapes: unknown[], over: Record<string, unknown> = {}) => ({ frame: 0, label_id: 1, shapes, ...over });
const elTrack = (label_id: number, shapes: unknown[] = [{ type: 'points', frame: 0, points: [1, 1] }], over: Record<string, unknown> = {}) => ({
  frame: 0,
  label_id,
  shapes,
  ...over,
});
const skeletonTrack = (elements: unknown[], over: Record<string, unknown> = {}) =>
  track([{ type: 'skeleton', frame: 0, points: [] }], { label_id: 5, elements, ...over });
const withAttrs = (attributes: unknown[]) => ({ shapes: [rect({ attributes })] });
const allPoints = [point(51), point(52), point(53)];

type Case = [name: string, input: unknown, expected: Array<[path: string, fragment: string]>, options?: { mode?: ValidationMode; frames?: FrameSet }];

function check(input: unknown, expected: Array<[string, string]>, options: Case[3] = {}) {
  const problems = validateAnnotations(input, { schema: SCHEMA, frames: options.frames ?? FRAMES, mode: options.mode });
  expect(problems.map((p) => p.path)).toEqual(expected.map(([path]) => path));
  problems.forEach((p: Problem, i) => expect(p.message).toContain(expected[i]![1]));
}

const TOP_LEVEL: Case[] = [
  ['an empty object', {}, []],
  ['not an object', 5, [['', 'must be an object']]],
  ['shapes not an array', { shapes: 3 }, [['shapes', 'must be an array']]],
  ['a version that is no integer', { version: 1.5 }, [['version', 'must be an integer']]],
  ['an object that is not one', { shapes: [null] }, [['shapes[0]', 'must be an object']]],
];

const LABELS: Case[] = [
  ['an unknown label', { shapes: [rect({ label_id: 99 })] }, [['shapes[0].label_id', 'label 99 is not one of this task']]],
  ['no label', { shapes: [rect({ label_id: undefined })] }, [['shapes[0].label_id', 'is required']]],
  ['a typed label with its type', { shapes: [rect({ label_id: 2 })] }, []],
  ['a typed label with another type', { shapes: [rect({ label_id: 2, type: 'polygon', points: [0, 0, 1, 0, 1, 1] })] }, [['shapes[0].label_id', 'label "box" (rectangle) cannot label polygon shapes']]],
  ['a tag label on a shape', { shapes: [rect({ label_id: 3 })] }, [['shapes[0].label_id', 'tag label "flag" cannot label rectangle shapes']]],
  ['a shape label on a tag', { tags: [{ frame: 0, label_id: 2 }] }, [['tags[0].label_id', 'label "box" (rectangle) cannot label tags']]],
  ['tag and any labels on tags', { tags: [{ frame: 0, label_id: 3 }, { frame: 1, label_id: 1 }] }, []],
  ['an interval label', { tags: [{ frame: 0, label_id: 4 }] }, [['tags[0].label_id', 'label "event" is for time intervals']]],
  ['a skeleton with an any label', { shapes: [skeleton([], { label_id: 1 })] }, [['shapes[0].label_id', 'a skeleton needs a skeleton label'], ['shapes[0].elements', 'at least one element']]],
  ['a skeleton label on a rectangle', { shapes: [rect({ label_id: 5 })] }, [['shapes[0].label_id', 'label "person" (skeleton) cannot label rectangle shapes']]],
  ['a skeleton point on its own', { shapes: [point(51)] }, [['shapes[0].label_id', 'label "head" is a point of skeleton "person"']]],
  ['a tag label on a track', { tracks: [track([key(0)], { label_id: 3 })] }, [['tracks[0].label_id', 'tag label "flag" cannot label rectangle shapes']]],
  ['a mask label on a mask track', { tracks: [track([{ type: 'mask', frame: 0, points: [0, 4, 0, 0, 1, 1] }], { label_id: 6 })] }, []],
];

const ELEMENTS: Case[] = [
  ['a skeleton with all its points', { shapes: [skeleton(allPoints)] }, []],
  // CVAT stores a subset; its UI shows the missing points as outside.
  ['a skeleton missing a point', { shapes: [skeleton([point(51), point(53)])] }, []],
  ['a skeleton without elements', { shapes: [skeleton([])] }, [['shapes[0].elements', 'a skeleton needs at least one element']]],
  ['a skeleton whose points are left out', { shapes: [{ type: 'skeleton', frame: 0, label_id: 5 }] }, [['shapes[0].elements', 'a skeleton needs at least one element']]],
  ['an element of another label', { shapes: [skeleton([point(2)])] }, [['shapes[0].elements[0].label_id', 'label 2 is not a point of skeleton "person"']]],
  ['an element of an unknown label', { shapes: [skeleton([point(999)])] }, [['shapes[0].elements[0].label_id', 'label 999 is not one of']]],
  ['a point twice', { shapes: [skeleton([point(51), point(51)])] }, [['shapes[0].elements[1].label_id', 'skeleton point "head" appears more than once']]],
  ['an element that is no point', { shapes: [skeleton([point(51, { type: 'rectangle', points: [0, 0, 1, 1] })])] }, [['shapes[0].elements[0].type', 'a skeleton element is of type points; got rectangle']]],
  ['an element of two points', { shapes: [skeleton([point(51, { points: [1, 2, 3, 4] })])] }, [['shapes[0].elements[0].points', 'exactly one point (2 numbers); got 4']]],
  ['an element on another frame', { shapes: [skeleton([point(51, { frame: 3 })])] }, [['shapes[0].elements[0].frame', "must equal the skeleton's frame 0"]]],
  ['elements on a rectangle', { shapes: [rect({ elements: [point(51)] })] }, [['shapes[0].elements', 'only skeletons have elements']]],
  ['points sent with a skeleton', { shapes: [skeleton(allPoints, { points: [1, 2] })] }, []],
  ['a skeleton track with point tracks', { tracks: [skeletonTrack([elTrack(51), elTrack(52)])] }, []],
  ['a skeleton track without elements', { tracks: [skeletonTrack([])] }, [['tracks[0].elements', 'a skeleton needs at least one element']]],
  ['a point track of another skeleton', { tracks: [skeletonTrack([elTrack(1)])] }, [['tracks[0].elements[0].label_id', 'label 1 is not a point of skeleton "person"']]],
  ['a point track twice', { tracks: [skeletonTrack([elTrack(52), elTrack(52)])] }, [['tracks[0].elements[1].label_id', 'skeleton point "hand" appears more than once']]],
  ['a point track without keyframes', { tracks: [skeletonTrack([elTrack(51, [])])] }, [['tracks[0].elements[0].shapes', 'a track needs at least one keyframe']]],
  ['a point track keyframe of another type', { tracks: [skeletonTrack([elTrack(51, [key(0)])])] }, [['tracks[0].elements[0].shapes[0].type', 'a skeleton element is of type points; got rectangle']]],
  ['a point track keyframe of no point', { tracks: [skeletonTrack([elTrack(51, [{ type: 'points', frame: 0, points: [] }])])] }, [['tracks[0].elements[0].shapes[0].points', 'exactly one point (2 numbers); got 0']]],
  ['a point track keyframe twice', { tracks: [skeletonTrack([elTrack(51, [{ type: 'points', frame: 4, points: [1, 1] }, { type: 'points', frame: 4, points: [2, 2] }])])] }, [['tracks[0].elements[0].shapes[1].frame', 'duplicate keyframe at frame 4']]],
  ['elements on a rectangle track', { tracks: [track([key(0)], { elements: [elTrack(51)] })] }, [['tracks[0].elements', 'only skeletons have elements']]],
];

const ATTRIBUTES: Case[] = [
  ['valid values of every input type', withAttrs([
    { spec_id: 10, value: 'volvo' }, { spec_id: 11, value: '99.5' }, { spec_id: 12, value: 'true' },
    { spec_id: 13, value: 'anything' }, { spec_id: 14, value: 'red' }, { spec_id: 18, value: '0.3' },
  ]), []],
  ['a number at the top of its range', withAttrs([{ spec_id: 11, value: '100' }]), []],
  ['an unknown spec', withAttrs([{ spec_id: 999, value: 'x' }]), [['shapes[0].attributes[0].spec_id', 'attribute 999 is not an attribute of label "car"']]],
  ["another label's spec", withAttrs([{ spec_id: 17, value: 'sit' }]), [['shapes[0].attributes[0].spec_id', 'attribute 17 is not an attribute of label "car"']]],
  ['a spec twice', withAttrs([{ spec_id: 10, value: 'volvo' }, { spec_id: 10, value: 'mazda' }]), [['shapes[0].attributes[1].spec_id', 'duplicate value for attribute "model"']]],
  ['a select value not offered', withAttrs([{ spec_id: 10, value: 'audi' }]), [['shapes[0].attributes[0].value', 'attribute "model": "audi" is not one of "mazda", "volvo"']]],
  ['a radio value not offered', withAttrs([{ spec_id: 14, value: 'green' }]), [['shapes[0].attributes[0].value', '"green" is not one of "red", "blue"']]],
  ['a checkbox that is not true or false', withAttrs([{ spec_id: 12, value: 'True' }]), [['shapes[0].attributes[0].value', 'must be "true" or "false"']]],
  ['a number that is none', withAttrs([{ spec_id: 11, value: 'fast' }]), [['shapes[0].attributes[0].value', '"fast" is not a number']]],
  ['an empty number', withAttrs([{ spec_id: 11, value: '' }]), [['shapes[0].attributes[0].value', '"" is not a number']]],
  ['a number above its range', withAttrs([{ spec_id: 11, value: '100.5' }]), [['shapes[0].attributes[0].value', '100.5 is outside [0, 100]']]],
  ['a number below its range', withAttrs([{ spec_id: 11, value: '-1' }]), [['shapes[0].attributes[0].value', '-1 is outside [0, 100]']]],
  ['a number off the step grid', withAttrs([{ spec_id: 11, value: '0.3' }]), [['shapes[0].attributes[0].value', '0.3 is not on the step grid 0 + k * 0.5']]],
  ['a number off a decimal grid', withAttrs([{ spec_id: 18, value: '0.35' }]), [['shapes[0].attributes[0].value', 'not on the step grid']]],
  ['a value too long', withAttrs([{ spec_id: 13, value: 'x'.repeat(4097) }]), [['shapes[0].attributes[0].value', 'longer than 4096 characters']]],
  ['a value that is no string', withAttrs([{ spec_id: 13, value: 5 }]), [['shapes[0].attributes[0].value', 'must be a string']]],
  ['a spec_id that is no integer', withAttrs([{ spec_id: '10', value: 'volvo' }]), [['shapes[0].attributes[0].spec_id', 'must be an integer']]],
  ['attributes that are no array', withAttrs({} as unknown as unknown[]), [['shapes[0].attributes', 'must be an array']]],
  ['an attribute that is no object', withAttrs(['volvo']), [['shapes[0].attributes[0]', 'must be an object with spec_id and value']]],
  ['tags take any spec of their label', { tags: [{ frame: 0, label_id: 1, attributes: [{ spec_id: 10, value: 'mazda' }, { spec_id: 12, value: 'false' }] }] }, []],
  ['immutable on a track, mutable on its keyframes', { tracks: [track([key(0, { attributes: [{ spec_id: 11, value: '5' }] })], { attributes: [{ spec_id: 10, value: 'mazda' }] })] }, []],
  ['a mutable attribute on a track', { tracks: [track([key(0)], { attributes: [{ spec_id: 12, value: 'true' }] })] }, [['tracks[0].attributes[0].spec_id', 'attribute "parked" is mutable: it belongs on the track\'s keyframes']]],
  ['an immutable attribute on a keyframe', { tracks: [track([key(0, { attributes: [{ spec_id: 13, value: 'x' }] })])] }, [['tracks[0].shapes[0].attributes[0].spec_id', 'attribute "note" is immutable: it belongs on the track, not on a keyframe']]],
  ['a bad value on a keyframe', { tracks: [track([key(0, { attributes: [{ spec_id: 11, value: '101' }] })])] }, [['tracks[0].shapes[0].attributes[0].value', '101 is outside [0, 100]']]],
  ["a point's own attributes", { shapes: [skeleton([point(51, { attributes: [{ spec_id: 15, value: 'true' }, { spec_id: 16, value: '3' }] })], { attributes: [{ spec_id: 17, value: 'sit' }] })] }, []],
  ["the skeleton's attribute on a point", { shapes: [skeleton([point(51, { attributes: [{ spec_id: 17, value: 'sit' }] })])] }, [['shapes[0].elements[0].attributes[0].spec_id', 'attribute 17 is not an attribute of label "head"']]],
  ["a point track's immutable attribute on its keyframe", { tracks: [skeletonTrack([elTrack(51, [{ type: 'points', frame: 0, points: [1, 1], attributes: [{ spec_id: 15, value: 'true' }] }])])] }, [['tracks[0].elements[0].shapes[0].attributes[0].spec_id', 'attribute "visible" is immutable']]],
  ['point track attributes in their places', { tracks: [skeletonTrack([elTrack(51, [{ type: 'points', frame: 0, points: [1, 1], attributes: [{ spec_id: 16, value: '2' }] }], { attributes: [{ spec_id: 15, value: 'false' }] })])] }, []],
];

const MASK_BOX = [10, 20, 11, 21];
const POINTS: Case[] = [
  ['no points', { shapes: [rect({ points: undefined })] }, [['shapes[0].points', 'is required']]],
  ['points that are no array', { shapes: [rect({ points: '0,0,1,1' })] }, [['shapes[0].points', 'must be an array of numbers']]],
  ['a point that is not finite', { shapes: [rect({ points: [0, Number.NaN, 1, Infinity] })] }, [['shapes[0].points', 'not at index 1, 3']]],
  ['a point that is a string', { shapes: [rect({ points: [0, '1', 2, 3] })] }, [['shapes[0].points', 'not at index 1']]],
  ['a rectangle of 3 numbers', { shapes: [rect({ points: [0, 0, 1] })] }, [['shapes[0].points', 'a rectangle needs 4 numbers (x1, y1, x2, y2); got 3']]],
  ['an ellipse of 6 numbers', { shapes: [rect({ type: 'ellipse', points: [0, 0, 1, 1, 2, 2] })] }, [['shapes[0].points', 'an ellipse needs 4 numbers']]],
  ['a cuboid of 8 numbers', { shapes: [rect({ type: 'cuboid', points: [0, 0, 1, 1, 2, 2, 3, 3] })] }, [['shapes[0].points', 'a cuboid needs 16 numbers (8 points); got 8']]],
  ['a cuboid of 16 numbers', { shapes: [rect({ type: 'cuboid', points: Array.from({ length: 16 }, (_, i) => i) })] }, []],
  ['a polygon of 2 points', { shapes: [rect({ type: 'polygon', points: [0, 0, 1, 1] })] }, [['shapes[0].points', 'a polygon needs at least 3 points (6 numbers); got 4']]],
  ['a polygon of an odd count', { shapes: [rect({ type: 'polygon', points: [0, 0, 1, 1, 2, 2, 3] })] }, [['shapes[0].points', 'a polygon points come in x, y pairs; got 7 numbers']]],
  ['a polygon of 3 points', { shapes: [rect({ type: 'polygon', points: [0, 0, 1, 1, 2, 0] })] }, []],
  ['a polyline of 1 point', { shapes: [rect({ type: 'polyline', points: [0, 0] })] }, [['shapes[0].points', 'a polyline needs at least 2 points (4 numbers); got 2']]],
  ['points of none', { shapes: [rect({ type: 'points', points: [] })] }, [['shapes[0].points', 'points needs at least 1 point (2 numbers); got 0']]],
  ['points of an odd count', { shapes: [rect({ type: 'points', points: [1, 2, 3] })] }, [['shapes[0].points', 'x, y pairs; got 3']]],
  ['a mask', { shapes: [rect({ type: 'mask', points: [1, 2, 1, ...MASK_BOX] })] }, []],
  ['a mask that starts with foreground', { shapes: [rect({ type: 'mask', points: [0, 4, ...MASK_BOX] })] }, []],
  ['a mask without runs', { shapes: [rect({ type: 'mask', points: MASK_BOX })] }, [['shapes[0].points', 'a mask needs RLE counts followed by left, top, right, bottom; got 4 numbers']]],
  ['a mask box between pixels', { shapes: [rect({ type: 'mask', points: [4, 10, 20.5, 11, 21] })] }, [['shapes[0].points', 'whole pixel indexes']]],
  ['a mask box turned inside out', { shapes: [rect({ type: 'mask', points: [4, 10, 20, 9, 21] })] }, [['shapes[0].points', 'needs right >= left and bottom >= top']]],
  ['a mask box off the image', { shapes: [rect({ type: 'mask', points: [4, -1, 20, 0, 21] })] }, [['shapes[0].points', 'starts outside the image at (-1, 20)']]],
  ['a negative run', { shapes: [rect({ type: 'mask', points: [-1, 5, ...MASK_BOX] })] }, [['shapes[0].points', 'RLE count 0 (-1) is not a non-negative integer']]],
  ['a fractional run', { shapes: [rect({ type: 'mask', points: [1.5, 2.5, ...MASK_BOX] })] }, [['shapes[0].points', 'RLE count 0 (1.5)']]],
  ['runs short of the box', { shapes: [rect({ type: 'mask', points: [1, 2, ...MASK_BOX] })] }, [['shapes[0].points', 'the RLE counts cover 3 pixels but the 2x2 box has 4']]],
  ['runs past the box', { shapes: [rect({ type: 'mask', points: [1, 2, 2, ...MASK_BOX] })] }, [['shapes[0].points', 'cover 5 pixels']]],
];

const FIELDS: Case[] = [
  ['a rotation past 360 (normalized, not refused)', { shapes: [rect({ rotation: 370 })] }, []],
  ['a rotation that is not finite', { shapes: [rect({ rotation: Infinity })] }, [['shapes[0].rotation', 'must be a finite number of degrees']]],
  ['a frame past the job', { shapes: [rect({ frame: 100 })] }, [['shapes[0].frame', 'frame 100 is outside frames 0-99']]],
  ['a negative frame', { shapes: [rect({ frame: -1 })] }, [['shapes[0].frame', 'must be a non-negative integer']]],
  ['a fractional frame', { tags: [{ frame: 1.5, label_id: 1 }] }, [['tags[0].frame', 'must be a non-negative integer']]],
  ['no frame', { tags: [{ label_id: 1 }] }, [['tags[0].frame', 'is required']]],
  ['a frame not chosen for a ground-truth job', { shapes: [rect({ frame: 3 })] }, [['shapes[0].frame', 'frame 3 is not one of the frames annotated here']], { frames: { frames: [0, 5, 9] } }],
  ['a frame chosen for a ground-truth job', { shapes: [rect({ frame: 5 })] }, [], { frames: { frames: [0, 5, 9] } }],
  ['a fractional z_order', { shapes: [rect({ z_order: 1.5 })] }, [['shapes[0].z_order', 'must be an integer']]],
  ['a negative z_order', { shapes: [rect({ z_order: -2 })] }, []],
  ['a score above 1', { shapes: [rect({ score: 1.5 })] }, [['shapes[0].score', 'must be a number in [0, 1]']]],
  ['a negative score', { shapes: [skeleton([point(51, { score: -0.1 })])] }, [['shapes[0].elements[0].score', 'must be a number in [0, 1]']]],
  ['occluded as text', { shapes: [rect({ occluded: 'yes' })] }, [['shapes[0].occluded', 'must be true or false']]],
  ['outside as a number', { tracks: [track([key(0, { outside: 1 })])] }, [['tracks[0].shapes[0].outside', 'must be true or false']]],
  ['a negative group', { shapes: [rect({ group: -1 })] }, [['shapes[0].group', 'must be a non-negative integer or null']]],
  ['a null group', { shapes: [rect({ group: null })] }, []],
  ['an unknown source', { shapes: [rect({ source: 'robot' })] }, [['shapes[0].source', 'must be one of manual, auto, semi-auto, file, consensus']]],
  ['an unknown shape type', { shapes: [rect({ type: 'circle' })] }, [['shapes[0].type', 'must be one of rectangle, polygon']]],
  ['no shape type', { shapes: [rect({ type: undefined })] }, [['shapes[0].type', 'is required']]],
];

const TRACKS: Case[] = [
  ['a track', { tracks: [track([key(0), key(10, { outside: true }), key(20)])] }, []],
  ['a track whose frame is not its first keyframe (normalized)', { tracks: [track([key(5)], { frame: 2 })] }, []],
  ['a track without shapes', { tracks: [{ frame: 0, label_id: 1 }] }, [['tracks[0].shapes', 'is required']]],
  ['a track without keyframes', { tracks: [track([])] }, [['tracks[0].shapes', 'a track needs at least one keyframe']]],
  ['two keyframes on one frame', { tracks: [track([key(5), key(5)])] }, [['tracks[0].shapes[1].frame', 'duplicate keyframe at frame 5']]],
  ['a keyframe past the job', { tracks: [track([key(0), key(120)])] }, [['tracks[0].shapes[1].frame', 'frame 120 is outside frames 0-99']]],
  ['keyframes of two types', { tracks: [track([key(10), key(5, { type: 'polygon', points: [0, 0, 1, 0, 1, 1] })])] }, [['tracks[0].shapes[0].type', "keyframe type rectangle differs from the track's polygon (its first keyframe's)"]]],
  ['a keyframe with bad points', { tracks: [track([key(0, { points: [1, 2] })])] }, [['tracks[0].shapes[0].points', 'a rectangle needs 4 numbers']]],
  ['a keyframe that is no object', { tracks: [track([7])] }, [['tracks[0].shapes[0]', 'must be an object']]],
];

const IDS: Case[] = [
  ['ids left out when creating', { tags: [{ frame: 0, label_id: 1 }], shapes: [rect()], tracks: [track([key(0)])] }, []],
  ['ids sent when creating (ignored)', { shapes: [rect({ id: 7 }), rect({ id: 7 })] }, []],
  ['a null id', { shapes: [rect({ id: null })] }, []],
  ['an id that is no integer', { shapes: [rect({ id: 'a' })] }, [['shapes[0].id', 'must be an integer']]],
  ['ids left out when updating', { tags: [{ frame: 0, label_id: 1 }], shapes: [rect()], tracks: [track([key(0)])] }, [
    ['tags[0].id', 'is required when updating objects'],
    ['shapes[0].id', 'is required when updating objects'],
    ['tracks[0].id', 'is required when updating objects'],
  ], { mode: 'update' }],
  ['one id twice when updating', { shapes: [rect({ id: 7 }), rect({ id: 7 })] }, [['shapes[1].id', 'duplicate id 7']], { mode: 'update' }],
  ['one id in two collections when updating', { tags: [{ id: 1, frame: 0, label_id: 1 }], shapes: [rect({ id: 1 })] }, [], { mode: 'update' }],
  // CVAT's update deletes and recreates whole objects by their top-level id.
  ['elements and keyframes without ids when updating', { shapes: [skeleton(allPoints, { id: 1 })], tracks: [track([key(0)], { id: 2 })] }, [], { mode: 'update' }],
];

describe.each([
  ['top level', TOP_LEVEL],
  ['labels', LABELS],
  ['skeleton elements', ELEMENTS],
  ['attributes', ATTRIBUTES],
  ['points', POINTS],
  ['other fields', FIELDS],
  ['tracks', TRACKS],
  ['ids', IDS],
] as const)('validateAnnotations: %s', (_, cases) => {
  it.each(cases)('%s', (_name, input, expected, options) => check(input, expected, options));
});

describe('validateAnnotations: collecting', () => {
  it('reports every problem of every object, not just the first', () => {
    const problems = validateAnnotations(
      {
        tags: [{ frame: 200, label_id: 99 }],
        shapes: [rect({ points: [1], score: 2, attributes: [{ spec_id: 10, value: 'audi' }] }), rect()],
        tracks: [track([key(0), key(0, { type: 'polygon' })])],
      },
      { schema: SCHEMA, frames: FRAMES },
    );
    expect(problems.map((p) => p.path)).toEqual([
      'tags[0].frame',
      'tags[0].label_id',
      'shapes[0].score',
      'shapes[0].points',
      'shapes[0].attributes[0].value',
      'tracks[0].shapes[1].frame',
      'tracks[0].shapes[1].points',
      'tracks[0].shapes[1].type',
    ]);
  });
});

describe('normalizeAnnotations', () => {
  const input: AnnotationsInput = {
    tags: [{ id: 3, frame: 1, label_id: 3 }],
    shapes: [
      { id: 4, type: 'rectangle', frame: 2, label_id: 1, points: [0, 0, 1, 1], rotation: -90 },
      {
        id: 5,
        type: 'skeleton',
        frame: 3,
        label_id: 5,
        group: 2,
        source: 'auto',
        z_order: 4,
        points: [9, 9],
        elements: [{ id: 6, type: 'points', frame: 3, label_id: 51, points: [1, 2] }],
      },
    ],
    tracks: [
      {
        id: 7,
        frame: 0,
        label_id: 1,
        shapes: [
          { type: 'rectangle', frame: 9, points: [1, 1, 2, 2], outside: true, keyframe: false } as never,
          { id: 8, type: 'rectangle', frame: 4, points: [0, 0, 1, 1], rotation: 360 },
        ],
      },
    ],
  };

  it("fills CVAT's defaults, keeps ids when updating, sorts keyframes and starts the track at the first", () => {
    expect(normalizeAnnotations(input, { mode: 'update' })).toEqual({
      version: 0,
      tags: [{ id: 3, frame: 1, label_id: 3, group: 0, source: 'manual', attributes: [] }],
      shapes: [
        { id: 4, frame: 2, label_id: 1, group: 0, source: 'manual', attributes: [], type: 'rectangle', points: [0, 0, 1, 1], rotation: 270, occluded: false, outside: false, z_order: 0, score: 1, elements: [] },
        {
          id: 5, frame: 3, label_id: 5, group: 2, source: 'auto', attributes: [], type: 'skeleton', points: [], rotation: 0, occluded: false, outside: false, z_order: 4, score: 1,
          elements: [{ id: 6, frame: 3, label_id: 51, group: 2, source: 'auto', attributes: [], type: 'points', points: [1, 2], rotation: 0, occluded: false, outside: false, z_order: 4, score: 1 }],
        },
      ],
      tracks: [
        {
          id: 7, frame: 4, label_id: 1, group: 0, source: 'manual', attributes: [], elements: [],
          shapes: [
            { id: 8, frame: 4, attributes: [], type: 'rectangle', points: [0, 0, 1, 1], rotation: 0, occluded: false, outside: false, z_order: 0 },
            { frame: 9, attributes: [], type: 'rectangle', points: [1, 1, 2, 2], rotation: 0, occluded: false, outside: true, z_order: 0 },
          ],
        },
      ],
    });
  });

  it('drops every id when creating', () => {
    const json = JSON.stringify(normalizeAnnotations(input));
    expect(json).not.toContain('"id"');
  });

  it.each([
    [370, 10],
    [-90, 270],
    [360, 0],
    [-360, 0],
    [45.1, 45.1],
    [359.9, 359.9],
    [-0.5, 359.5],
  ])('rotation %s becomes %s', (rotation, expected) => {
    const [shape] = normalizeAnnotations({ shapes: [{ type: 'rectangle', frame: 0, label_id: 1, points: [0, 0, 1, 1], rotation }] }).shapes;
    expect(shape!.rotation).toBe(expected);
  });

  it("starts a skeleton's points where the skeleton starts (CVAT's _sync_frames)", () => {
    const data = normalizeAnnotations({
      tracks: [
        {
          frame: 5,
          label_id: 5,
          shapes: [{ type: 'skeleton', frame: 5, points: [] }],
          elements: [
            { frame: 9, label_id: 51, shapes: [{ type: 'points', frame: 8, points: [1, 2], attributes: [{ spec_id: 16, value: '3' }] }] },
            { frame: 3, label_id: 52, shapes: [{ type: 'points', frame: 3, points: [4, 5] }] },
          ],
        },
      ],
    });
    const [t] = data.tracks;
    expect(t!.frame).toBe(3);
    expect(t!.shapes.map((s) => s.frame)).toEqual([3]);
    expect(t!.elements.map((e) => e.frame)).toEqual([3, 3]);
    expect(t!.elements[0]!.shapes).toEqual([
      { frame: 3, attributes: [{ spec_id: 16, value: '3' }], type: 'points', points: [1, 2], rotation: 0, occluded: false, outside: true, z_order: 0 },
      { frame: 8, attributes: [{ spec_id: 16, value: '3' }], type: 'points', points: [1, 2], rotation: 0, occluded: false, outside: false, z_order: 0 },
    ]);
  });
});

describe('parseAnnotations', () => {
  it('gives the normalized annotations when nothing is wrong', () => {
    const result = parseAnnotations({ shapes: [rect({ id: 3 })] }, { schema: SCHEMA, frames: FRAMES });
    expect(result).toEqual({ ok: true, annotations: normalizeAnnotations({ shapes: [rect() as never] }) });
  });

  it('gives the problems otherwise', () => {
    expect(parseAnnotations({ shapes: [rect({ frame: 500 })] }, { schema: SCHEMA, frames: FRAMES })).toEqual({
      ok: false,
      problems: [{ path: 'shapes[0].frame', message: 'frame 500 is outside frames 0-99' }],
    });
  });
});

describe('withAttributeDefaults', () => {
  // CVAT's defaults for specs with default_value '': a select's or radio's first value, a number's min, checkbox false.
  it("adds every attribute left out at its default, as CVAT's GET does", () => {
    const data = normalizeAnnotations({
      tags: [{ frame: 0, label_id: 1, attributes: [{ spec_id: 10, value: 'volvo' }] }],
      shapes: [{ type: 'skeleton', frame: 0, label_id: 5, elements: [{ type: 'points', frame: 0, label_id: 51, points: [1, 1] }] }],
      tracks: [
        {
          frame: 0,
          label_id: 1,
          shapes: [
            { type: 'rectangle', frame: 5, points: [0, 0, 1, 1], attributes: [{ spec_id: 11, value: '5' }] },
            { type: 'rectangle', frame: 9, points: [0, 0, 1, 1], attributes: [{ spec_id: 12, value: 'true' }] },
            { type: 'rectangle', frame: 0, points: [0, 0, 1, 1] },
          ],
        },
      ],
    });
    const full = withAttributeDefaults(data, SCHEMA);
    const v = (spec_id: number, value: string) => ({ spec_id, value });
    expect(full.tags[0]!.attributes).toEqual([v(10, 'volvo'), v(11, '0'), v(12, 'false'), v(13, ''), v(14, 'red'), v(18, '0')]);
    expect(full.shapes[0]!.attributes).toEqual([v(17, 'stand')]);
    expect(full.shapes[0]!.elements[0]!.attributes).toEqual([v(15, 'false'), v(16, '0')]);
    const [t] = full.tracks;
    expect(t!.attributes).toEqual([v(10, 'mazda'), v(13, ''), v(14, 'red')]);
    // A keyframe inherits what the one before it had, not the defaults.
    expect(t!.shapes.map((s) => s.attributes)).toEqual([
      [v(11, '0'), v(12, 'false'), v(18, '0')],
      [v(11, '5'), v(12, 'false'), v(18, '0')],
      [v(12, 'true'), v(11, '5'), v(18, '0')],
    ]);
    expect(data.tags[0]!.attributes).toHaveLength(1);
  });
});

describe.skipIf(!HAVE_CVAT_ASSETS)("CVAT's own annotation payloads", () => {
  const payloads = loadAssetPayloads();

  it('cover jobs and tasks with tags, every shape type and tracks', () => {
    const types = new Set(payloads.flatMap((p) => (p.data.shapes as Array<{ type: string }>).map((s) => s.type)));
    expect([...types].sort()).toEqual(['cuboid', 'ellipse', 'mask', 'points', 'polygon', 'polyline', 'rectangle', 'skeleton']);
    expect(payloads.some((p) => (p.data.tracks as unknown[]).length > 0)).toBe(true);
  });

  it.each(payloads.map((p) => [p.name, p] as const))('%s validates, to create and to update', (_, p) => {
    expect(validateAnnotations(p.data, { schema: p.schema, frames: p.frames })).toEqual([]);
    expect(validateAnnotations(p.data, { schema: p.schema, frames: p.frames, mode: 'update' })).toEqual([]);
  });

  it.each(payloads.map((p) => [p.name, p] as const))('%s normalizes to itself and stays valid', (_, p) => {
    const once = normalizeAnnotations(p.data as AnnotationsInput, { mode: 'update' });
    expect(validateAnnotations(once, { schema: p.schema, frames: p.frames, mode: 'update' })).toEqual([]);
    expect(normalizeAnnotations(once, { mode: 'update' })).toEqual(once);
  });
});
