/**
 * ImageNet 1.0 as CVAT has it: exported with images, a folder per label holding copies of the
 * images (folder.ts); without images, Datumaro's text variant, `<subset>.txt` and `synsets.txt`
 * (txt.ts). Import picks the text variant when the archive root has `.txt` files, as CVAT does.
 * Only tags are kept; shapes and tag attributes are reported as dropped.
 *
 * Round trip: export -> import -> export writes the same files (text), or copies images to the
 * same paths (folders: frames come back named `<label>/<image>`, one per copy, which CVAT matches
 * to the one task image).
 */
import type { FormatCodec } from '../model.js';
import { exportFolders, importFolders } from './folder.js';
import { exportText, importText } from './txt.js';

export const imagenetFormat: FormatCodec = {
  name: 'ImageNet 1.0',
  ext: 'ZIP',
  dimension: '2d',
  async export(input, sink, ctx) {
    await (input.saveImages ? exportFolders : exportText)(input, sink, ctx);
  },
  async import(source, ctx) {
    const rootText = source.paths().some((p) => !p.includes('/') && p.toLowerCase().endsWith('.txt'));
    return (rootText ? importText : importFolders)(source, ctx);
  },
};
