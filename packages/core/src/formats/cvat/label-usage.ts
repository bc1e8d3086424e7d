/**
 * The labels an import returns: those the files declare, in order, then labels and attributes the
 * annotations use without a declaration (as type "any" labels and "text" attributes), so the
 * server can create or check them. An empty label name is an object without a label; it is left
 * for the server to refuse, as CVAT refuses it.
 */
import type { DatasetLabel } from '../model.js';

export class LabelUsage {
  private readonly list: DatasetLabel[] = [];
  private readonly byName = new Map<string, DatasetLabel>();

  /** Adds a declared label unless one with its name is already known (the first file wins). */
  declare(label: DatasetLabel): void {
    if (this.byName.has(label.name)) return;
    this.byName.set(label.name, label);
    this.list.push(label);
  }

  get(name: string): DatasetLabel | undefined {
    return this.byName.get(name);
  }

  /** Records a label (a skeleton's point when `parent` is given) and attribute names in use. */
  use(name: string, attributes: Iterable<string>, parent?: string): void {
    if (name === '' || parent === '') return;
    let label: DatasetLabel;
    if (parent !== undefined) {
      let skeleton = this.byName.get(parent);
      if (!skeleton) {
        skeleton = { name: parent, type: 'skeleton', attributes: [], sublabels: [] };
        this.declare(skeleton);
      }
      skeleton.sublabels ??= [];
      let point = skeleton.sublabels.find((s) => s.name === name);
      if (!point) {
        point = { name, type: 'points', attributes: [] };
        skeleton.sublabels.push(point);
      }
      label = point;
    } else {
      let found = this.byName.get(name);
      if (!found) {
        found = { name, type: 'any', attributes: [] };
        this.declare(found);
      }
      label = found;
    }
    for (const a of attributes) {
      if (!label.attributes.some((s) => s.name === a)) {
        label.attributes.push({ name: a, mutable: false, input_type: 'text', default_value: '', values: [] });
      }
    }
  }

  labels(): DatasetLabel[] {
    return this.list;
  }
}
