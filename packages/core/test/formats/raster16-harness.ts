/**
 * The harness side of the proposed 16-bit PNG extension (RasterCodec16 in
 * src/formats/cityscapes/raster16.ts), written with sharp as the server would: 16-bit grayscale
 * PNGs read and written with the 'grey16' colourspace and 'ushort' depth.
 */
import sharp from 'sharp';
import type { Raster16, RasterCodec16 } from '../../src/formats/cityscapes/raster16.js';
import type { ExportInput, FormatCodec, FrameAnnotations, ImportContext, ImportSource, ParsedDataset } from '../../src/formats/model.js';
import { ListReport, MemorySink, exportInput, sharpRaster } from './harness.js';

export const sharpRaster16: Required<RasterCodec16> = {
  ...sharpRaster,
  async decodePng16(bytes) {
    const { data, info } = await sharp(bytes).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    // A fresh buffer: sharp's may start at an odd offset, which a Uint16Array cannot view.
    return { width: info.width, height: info.height, data: new Uint16Array(new Uint8Array(data).buffer, 0, info.width * info.height) };
  },
  async encodePng16(raster: Raster16) {
    const out = await sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: 1 } })
      .toColourspace('grey16').png().toBuffer();
    return new Uint8Array(out);
  },
};

/** The 16-bit values of a PNG, for assertions. */
export async function values16(png: Uint8Array): Promise<number[]> {
  return [...(await sharpRaster16.decodePng16(png)).data];
}

/** An export through the 16-bit capable codec, into memory. */
export async function export16(codec: FormatCodec, input: Partial<Omit<ExportInput, 'frames'>> & { frames: FrameAnnotations[] }) {
  const sink = new MemorySink();
  const report = new ListReport();
  await codec.export!(exportInput(input), sink, { raster: sharpRaster16, report });
  return { sink, report };
}

export async function import16(codec: FormatCodec, source: ImportSource, ctx: Partial<ImportContext> = {}): Promise<ParsedDataset> {
  return codec.import!(source, { raster: sharpRaster16, images: [], ...ctx });
}
