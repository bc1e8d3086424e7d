import { describe, expect, it } from 'vitest';
import {
  attributeProblems,
  bindSkeletonSvg,
  duplicateIndexes,
  effectiveDefault,
  labelProblems,
  labelSetProblems,
  nextLabelColor,
  unbindSkeletonSvg,
  type AttributeSpec,
  type LabelDraft,
} from '../src/labels.js';

const attr = (over: Partial<AttributeSpec>): AttributeSpec => ({
  name: 'a',
  mutable: false,
  input_type: 'text',
  default_value: '',
  values: [],
  ...over,
});

const label = (over: Partial<LabelDraft>): LabelDraft => ({
  name: 'car',
  color: '',
  type: 'any',
  attributes: [],
  sublabels: [],
  ...over,
});

describe('attributeProblems', () => {
  const cases: Array<[string, Partial<AttributeSpec>, Array<[string, string]>]> = [
    ['checkbox with no values', { input_type: 'checkbox' }, []],
    ['checkbox true/false', { input_type: 'checkbox', values: ['false'], default_value: 'true' }, []],
    ['checkbox other value', { input_type: 'checkbox', values: ['yes'] }, [['values', 'checkbox values must be "true" or "false"']]],
    ['checkbox bad default', { input_type: 'checkbox', default_value: 'maybe' }, [['default_value', 'checkbox default must be "true" or "false"']]],
    ['select ok', { input_type: 'select', values: ['x', 'y'], default_value: 'y' }, []],
    ['select empty', { input_type: 'select' }, [['values', 'select needs at least one value']]],
    ['radio empty', { input_type: 'radio' }, [['values', 'radio needs at least one value']]],
    ['select duplicate values', { input_type: 'select', values: ['x', 'x'] }, [['values', 'values must be unique']]],
    ['select default not a value', { input_type: 'select', values: ['x'], default_value: 'z' }, [['default_value', '"z" is not one of the values']]],
    ['number ok', { input_type: 'number', values: ['0', '10', '1'], default_value: '5' }, []],
    ['number wrong arity', { input_type: 'number', values: ['0', '10'] }, [['values', 'number needs [min, max, step]']]],
    ['number not numeric', { input_type: 'number', values: ['a', '10', '1'] }, [['values', 'min, max and step must be numbers']]],
    ['number min > max', { input_type: 'number', values: ['10', '0', '1'] }, [['values', 'min must not exceed max']]],
    ['number zero step', { input_type: 'number', values: ['0', '10', '0'] }, [['values', 'step must be positive']]],
    ['number default out of range', { input_type: 'number', values: ['0', '10', '1'], default_value: '11' }, [['default_value', 'must be a number in [0, 10]']]],
    ['text anything', { input_type: 'text', values: ['free'], default_value: 'x' }, []],
  ];
  it.each(cases)('%s', (_name, over, expected) => {
    expect(attributeProblems(attr(over))).toEqual(expected);
  });
});

describe('effectiveDefault', () => {
  it.each([
    [attr({ input_type: 'checkbox' }), 'false'],
    [attr({ input_type: 'select', values: ['b', 'c'] }), 'b'],
    [attr({ input_type: 'radio', values: ['r'] }), 'r'],
    [attr({ input_type: 'number', values: ['3', '9', '1'] }), '3'],
    [attr({ input_type: 'text', values: [] }), ''],
    [attr({ input_type: 'select', values: ['b', 'c'], default_value: 'c' }), 'c'],
  ])('%o -> %s', (a, expected) => {
    expect(effectiveDefault(a)).toBe(expected);
  });
});

describe('labelProblems', () => {
  it('accepts a plain label and a skeleton with points', () => {
    expect(labelProblems(label({}), 'labels[0]')).toEqual([]);
    const skeleton = label({ type: 'skeleton', sublabels: [label({ name: '1', type: 'points' }), label({ name: '2', type: 'points' })] });
    expect(labelProblems(skeleton, 'labels[0]')).toEqual([]);
  });

  const cases: Array<[string, Partial<LabelDraft>, string, string]> = [
    ['empty name', { name: '' }, 'labels[1].name', 'must not be empty'],
    ['bad color', { color: 'red' }, 'labels[1].color', '"red" is not a #rrggbb color'],
    ['short color', { color: '#fff' }, 'labels[1].color', '"#fff" is not a #rrggbb color'],
    ['unknown type', { type: 'blob' }, 'labels[1].type', 'unknown label type "blob"'],
    ['sublabels on a non-skeleton', { type: 'rectangle', sublabels: [label({ name: 'p' })] }, 'labels[1].sublabels', 'only skeleton labels have sublabels'],
    ['skeleton without points', { type: 'skeleton' }, 'labels[1].sublabels', 'a skeleton needs at least one sublabel'],
    ['duplicate attribute', { attributes: [attr({ name: 'x' }), attr({ name: 'x' })] }, 'labels[1].attributes[1].name', 'duplicate attribute name "x"'],
    ['bad attribute', { attributes: [attr({ name: 'x', input_type: 'select' })] }, 'labels[1].attributes[0].values', 'select needs at least one value'],
    ['unknown input type', { attributes: [{ ...attr({ name: 'x' }), input_type: 'slider' }] }, 'labels[1].attributes[0].input_type', 'unknown input type "slider"'],
    ['empty attribute name', { attributes: [attr({ name: '' })] }, 'labels[1].attributes[0].name', 'must not be empty'],
    [
      'duplicate sublabel',
      { type: 'skeleton', sublabels: [label({ name: 'p', type: 'points' }), label({ name: 'p', type: 'points' })] },
      'labels[1].sublabels[1].name',
      'duplicate sublabel name "p"',
    ],
    ['nested skeleton', { type: 'skeleton', sublabels: [label({ name: 'p', type: 'skeleton' })] }, 'labels[1].sublabels[0].type', 'a skeleton point cannot itself be a skeleton'],
    [
      'bad sublabel attribute',
      { type: 'skeleton', sublabels: [label({ name: 'p', type: 'points', attributes: [attr({ input_type: 'number', values: ['5', '1', '1'] })] })] },
      'labels[1].sublabels[0].attributes[0].values',
      'min must not exceed max',
    ],
  ];
  it.each(cases)('%s', (_name, over, path, message) => {
    const problems = labelProblems(label(over), 'labels[1]');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe(path);
    expect(problems[0]!.message).toContain(message);
  });

  it('names fields without a prefix at the root', () => {
    expect(labelProblems(label({ color: 'x' }), '')[0]!.path).toBe('color');
  });
});

describe('labelSetProblems', () => {
  it('reports the second of two labels with one name', () => {
    expect(labelSetProblems([label({ name: 'a' }), label({ name: 'b' }), label({ name: 'a' })], 'labels')).toEqual([
      { path: 'labels[2].name', message: 'duplicate label name "a"' },
    ]);
  });
  it('collects every problem, not only the first', () => {
    const problems = labelSetProblems([label({ color: 'x' }), label({ name: 'b', type: 'nope' })], 'labels');
    expect(problems.map((p) => p.path)).toEqual(['labels[0].color', 'labels[1].type']);
  });
});

describe('duplicateIndexes', () => {
  it.each([
    [[], []],
    [['a', 'b'], []],
    [['a', 'b', 'a', 'a'], [2, 3]],
  ])('%o -> %o', (names, expected) => {
    expect(duplicateIndexes(names)).toEqual(expected);
  });
});

describe('nextLabelColor', () => {
  it('takes the first palette color not in use, case-insensitively', () => {
    expect(nextLabelColor([])).toBe('#33ddff');
    expect(nextLabelColor(['#33DDFF'])).toBe('#fa3253');
  });
  it('still answers a valid color once the palette is used up', () => {
    const used: string[] = [];
    for (let i = 0; i < 25; i++) used.push(nextLabelColor(used));
    expect(used.every((c) => /^#[0-9a-f]{6}$/.test(c))).toBe(true);
  });
});

describe('skeleton SVG binding', () => {
  const svg =
    '<line data-type="edge" data-node-from="1" data-node-to="2"></line>' +
    '<circle data-type="element node" data-node-id="1" data-label-name="nose"></circle>' +
    '<circle data-type="element node" data-node-id="2" data-label-name="a &quot;b&quot;"></circle>';

  it('rewrites data-label-name to the new ids, as CVAT does', () => {
    const bound = bindSkeletonSvg(svg, [
      { name: 'nose', id: 41 },
      { name: 'a "b"', id: 42 },
    ]);
    expect(bound).toContain('data-node-id="1" data-label-id="41"');
    expect(bound).toContain('data-node-id="2" data-label-id="42"');
    expect(bound).not.toContain('data-label-name');
    expect(bound).toContain('data-node-from="1" data-node-to="2"');
  });

  it('rewrites ids copied from another project in one pass', () => {
    const copied = '<circle data-label-id="5"></circle><circle data-label-id="7"></circle>';
    // Old 5 becomes 7 and old 7 becomes 9: a second pass would turn both into 9.
    const bound = bindSkeletonSvg(copied, [
      { name: 'p', id: 7, previousId: 5 },
      { name: 'q', id: 9, previousId: 7 },
    ]);
    expect(bound).toBe('<circle data-label-id="7"></circle><circle data-label-id="9"></circle>');
  });

  it('leaves references it cannot resolve alone', () => {
    const odd = '<circle data-label-name="ghost"></circle><circle data-label-id="99"></circle>';
    expect(bindSkeletonSvg(odd, [{ name: 'p', id: 1 }])).toBe(odd);
  });

  it('round-trips through unbind', () => {
    const nodes = [
      { name: 'nose', id: 41 },
      { name: 'a "b"', id: 42 },
    ];
    expect(unbindSkeletonSvg(bindSkeletonSvg(svg, nodes), nodes)).toBe(svg);
  });
});
