import { describe, expect, it } from 'vitest';
import { fixed6 } from '../../src/formats/yolo/numbers.js';
import { dumpPyYaml } from '../../src/formats/yolo/pyyaml.js';

// Produced by Python 3 ('%.6f' % x) and PyYAML 6.0.3 (yaml.dump), which Datumaro uses to write YOLO files.
const PYTHON_FIXED6: Array<[number, string]> = [
  [0.0078125, '0.007812'],
  [0.0625, '0.062500'],
  [0.1171875, '0.117188'],
  [0.2265625, '0.226562'],
  [0.3359375, '0.335938'],
  [0.4453125, '0.445312'],
  [0.5546875, '0.554688'],
  [0.6640625, '0.664062'],
  [0.7734375, '0.773438'],
  [0.8828125, '0.882812'],
  [0.9921875, '0.992188'],
  [1.1015625, '1.101562'],
  [1.2109375, '1.210938'],
  [0.0, '0.000000'],
  [0.0578125, '0.057813'],
  [0.1734375, '0.173437'],
  [0.2890625, '0.289062'],
  [0.4046875, '0.404687'],
  [0.5203125, '0.520312'],
  [0.6359375, '0.635938'],
  [0.7515625, '0.751563'],
  [0.9828125, '0.982812'],
  [0.6229016948897019, '0.622902'],
  [0.029005228283614737, '0.029005'],
  [0.46562265437810535, '0.465623'],
  [0.9009004917506227, '0.900900'],
  [0.21672980046384815, '0.216730'],
  [-0.0078125, '-0.007812'],
  [-0.0234375, '-0.023438'],
  [1.0000005, '1.000001'],
  [5e-07, '0.000000'],
  [2.5e-07, '0.000000'],
  [123.4567895, '123.456789'],
  [-1e-09, '-0.000000'],
];

const LABEL_NAMES: string[] = ["yes", "1", "a: b", "caf\u00e9", "it's", "'q", "#x", "x:y", " lead", "1e5", "null", "-", "- a", "a #b", "a#b", "", "?x", "? x", "1.5", "0o7", "0x1F", "2024-01-01", "~", "<<", "=", "tab\there", "trail ", "\u00dcn\u00efc\u00f8d\u00e9", "\u65e5\u672c", "@at", "%p", "`b", "a,b", "[x]", "{y}", "*s", "&a", "!t", "|p", ">f", "\"dq", "x\\y", "12:30", "1_000", ".inf", ".5", "+1", "-1.5e+3", "NO", "On", "---x", "...y", "emoji\ud83d\ude00"];

const PYYAML_DUMP = "Train: Train.txt\nkpt_shape:\n- 17\n- 3\nnames:\n  0: 'yes'\n  1: '1'\n  2: 'a: b'\n  3: \"caf\\xE9\"\n  4: it's\n  5: '''q'\n  6: '#x'\n  7: x:y\n  8: ' lead'\n  9: 1e5\n  10: 'null'\n  11: '-'\n  12: '- a'\n  13: 'a #b'\n  14: a#b\n  15: ''\n  16: ?x\n  17: '? x'\n  18: '1.5'\n  19: 0o7\n  20: '0x1F'\n  21: '2024-01-01'\n  22: '~'\n  23: '<<'\n  24: '='\n  25: \"tab\\there\"\n  26: 'trail '\n  27: \"\\xDCn\\xEFc\\xF8d\\xE9\"\n  28: \"\\u65E5\\u672C\"\n  29: '@at'\n  30: '%p'\n  31: '`b'\n  32: a,b\n  33: '[x]'\n  34: '{y}'\n  35: '*s'\n  36: '&a'\n  37: '!t'\n  38: '|p'\n  39: '>f'\n  40: '\"dq'\n  41: x\\y\n  42: '12:30'\n  43: '1_000'\n  44: '.inf'\n  45: '.5'\n  46: '+1'\n  47: '-1.5e+3'\n  48: 'NO'\n  49: 'On'\n  50: '---x'\n  51: '...y'\n  52: \"emoji\\U0001F600\"\npath: .\ntrain: train.txt\nval: val.txt\n";

describe('YOLO numbers and data.yaml, byte for byte as Datumaro writes them', () => {
  it('formats coordinates as Python %.6f does, ties to even included', () => {
    for (const [x, python] of PYTHON_FIXED6) expect([x, fixed6(x)]).toEqual([x, python]);
  });

  it('dumps data.yaml as PyYAML does: keys sorted, YAML 1.1 quoting, non-ASCII escaped', () => {
    const yaml = dumpPyYaml({
      path: '.',
      names: new Map(LABEL_NAMES.map((n, i) => [i, n])),
      train: 'train.txt',
      Train: 'Train.txt',
      val: 'val.txt',
      kpt_shape: [17, 3],
    });
    expect(yaml.split('\n')).toEqual(PYYAML_DUMP.split('\n'));
  });

  it('writes empty names and lists in flow style', () => {
    expect(dumpPyYaml({ names: new Map(), path: '.', kpt_shape: [] })).toBe('kpt_shape: []\nnames: {}\npath: .\n');
  });
});
