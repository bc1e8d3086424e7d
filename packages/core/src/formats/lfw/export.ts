/**
 * LFW export, as CVAT writes it (Datumaro's lfw converter), per subset ("default" for frames
 * without one) under `<subset>/annotations/`:
 *
 * - pairs.txt: matched pairs (`<person>\t<n1>\t<n2>`), then mismatched ones
 *   (`<person1>\t<n1>\t<person2>\t<n2>`), then the other images of persons (`<person>/<item>`).
 *   An image's person is its first tag's label; its pairs are that tag's positive_pairs and
 *   negative_pairs attributes (image names, as a list CVAT stored on import or separated by commas
 *   or spaces). Numbers are parsed out of `<person>_<NNNN>` names as Datumaro does.
 * - landmarks.txt (when there are points): `<label>/<item>.jpg\t<x1>\t<y1>...`.
 * - people.txt: every label with the number of images it is the person of.
 * - Images (when saved) at `<subset>/images/<person>/<name>`, or `<subset>/images/<name>`.
 *
 * Datumaro takes a label that declares the pair attributes as "has pairs" even when they are
 * empty, which leaves such images out of pairs.txt; here empty lists count as none. Reported:
 * tags after the first, attributes other than the pair lists, shapes other than points.
 */
import type { ExportContext, ExportInput, ExportSink } from '../model.js';
import { categoryNames, tagAttributes } from '../voc/attributes.js';
import { pyFloat, pyStr } from '../voc/pyformat.js';
import { itemNames } from '../voc/layout.js';
import { ANNOTATIONS_DIR, IMAGES_DIR, LANDMARKS_FILE, NEGATIVE, PAIRS_FILE, PATTERN, PEOPLE_FILE, POSITIVE, parseList, pyInt } from './names.js';

interface SubsetFiles {
  positive: string[];
  negative: string[];
  neutral: string[];
  included: Set<string>;
  landmarks: string[];
  counts: Map<string, number>;
}

export async function exportLfw(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const names = categoryNames(input.labels);
  const labels = new Map(input.labels.map((l) => [l.name, l]));
  const subsets = new Map<string, SubsetFiles>();
  const { report } = ctx;

  for await (const frame of input.frames) {
    const f = frame.image.frame;
    const item = itemNames(frame.image);
    const ext = item.file.slice(item.id.length);
    let files = subsets.get(item.subset);
    if (!files) {
      files = { positive: [], negative: [], neutral: [], included: new Set(), landmarks: [], counts: new Map(names.map((n) => [n, 0])) };
      subsets.set(item.subset, files);
    }
    for (const s of frame.shapes) {
      if (s.type !== 'points') report.dropped(`${s.type} shapes`, f, 'LFW holds landmarks (points) only');
      else if (!files.counts.has(s.label)) report.dropped('points shapes of labels not in the task', f, `label "${s.label}" is not a person of people.txt`);
      else files.landmarks.push(`${s.label}/${item.id}.jpg\t${s.points.map(pyFloat).join('\t')}`);
    }
    const tags = frame.tags.filter((t) => {
      if (files!.counts.has(t.label)) return true;
      report.dropped('tags of labels not in the task', f, `label "${t.label}" is not a person of people.txt`);
      return false;
    });
    const tag = tags[0];
    tags.slice(1).forEach(() => report.dropped('tags after the first', f, 'LFW images show one person'));
    if (!tag) {
      if (input.saveImages) await sink.image(frame.image, `${item.subset}/${IMAGES_DIR}/${item.id}${ext}`);
      continue;
    }
    const person1 = tag.label;
    files.counts.set(person1, files.counts.get(person1)! + 1);
    if (input.saveImages) await sink.image(frame.image, `${item.subset}/${IMAGES_DIR}/${person1}/${item.id}${ext}`);

    const attrs = tagAttributes(tag, labels.get(tag.label));
    for (const [k, v] of attrs) if (k !== POSITIVE && k !== NEGATIVE && pyStr(v) !== '') report.dropped('tag attributes', f, `LFW has no place for "${k}"`);
    const positive = parseList(attrs.get(POSITIVE) ? pyStr(attrs.get(POSITIVE)!) : (tag.attributes[POSITIVE] ?? ''));
    const negative = parseList(attrs.get(NEGATIVE) ? pyStr(attrs.get(NEGATIVE)!) : (tag.attributes[NEGATIVE] ?? ''));

    let num1 = item.id;
    if (num1.startsWith(person1)) {
      const n = pyInt(num1.slice(person1.length + 1));
      if (n !== null) num1 = String(n);
    }
    let current = `${person1}/${num1}`;
    if (positive.length || negative.length) files.included.add(current);
    for (const pair of positive) {
      const found = PATTERN.exec(pair);
      let num2: string;
      if (found) num2 = number(found[2]!);
      else num2 = pair.startsWith(person1) ? pair.slice(person1.length + 1) : pair;
      files.included.add(`${person1}/${num2}`);
      files.positive.push(`${person1}\t${num1}\t${num2}`);
    }
    for (const pair of negative) {
      const found = PATTERN.exec(pair);
      let person2: string, num2: string;
      if (found) {
        person2 = found[1]!;
        num2 = number(found[2]!);
        current = `${person2}/${num2}`;
      } else {
        person2 = '-';
        num2 = pair;
        current = num2;
        const objects = pair.split('/');
        if (objects.length > 1 && files.counts.has(objects[0]!)) {
          person2 = objects[0]!;
          num2 = pair.slice(person2.length + 1);
          current = `${person2}/${num2}`;
        }
      }
      files.included.add(current);
      files.negative.push(`${person1}\t${num1}\t${person2}\t${num2}`);
    }
    if (!positive.length && !negative.length && !files.included.has(current)) {
      files.neutral.push(`${person1}/${item.id}`);
      files.included.add(current);
    }
  }

  for (const [subset, files] of subsets) {
    const dir = `${subset}/${ANNOTATIONS_DIR}`;
    await sink.file(`${dir}/${PAIRS_FILE}`, [...files.positive, ...files.negative, ...files.neutral].map((l) => `${l}\n`).join(''));
    if (files.landmarks.length) await sink.file(`${dir}/${LANDMARKS_FILE}`, files.landmarks.map((l) => `${l}\n`).join(''));
    if (files.counts.size) await sink.file(`${dir}/${PEOPLE_FILE}`, [...files.counts].map(([n, c]) => `${n}\t${c}\n`).join(''));
  }
}

/** Datumaro's int() of a pair's number, kept as written where Python's int() would fail. */
function number(s: string): string {
  const n = pyInt(s);
  return n === null ? s : String(n);
}
