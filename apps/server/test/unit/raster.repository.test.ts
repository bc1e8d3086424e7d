import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { pngPalette, sharpRasterCodec } from '../../src/repositories/raster.repository.js';

describe('PNG codec for dataset masks', () => {
  it('writes an indexed PNG whose palette is in the given order, and reads the indexes back', async () => {
    const palette: Array<[number, number, number]> = [[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0]];
    const data = Uint8Array.from([0, 1, 2, 3, 3, 2, 1, 0]);
    const png = await sharpRasterCodec.encodePng({ width: 4, height: 2, channels: 1, data }, { palette });
    expect(pngPalette(png)).toEqual(palette);
    expect((await sharp(png).metadata()).isPalette).toBe(true);
    const back = await sharpRasterCodec.decodePng(png, { indexed: true });
    expect(back).toMatchObject({ width: 4, height: 2, channels: 1 });
    expect([...back.data]).toEqual([...data]);
  });

  it('writes one channel as a grayscale PNG', async () => {
    const png = await sharpRasterCodec.encodePng({ width: 3, height: 1, channels: 1, data: Uint8Array.from([0, 7, 255]) });
    const meta = await sharp(png).metadata();
    expect(meta.channels).toBe(1);
    const back = await sharpRasterCodec.decodePng(png);
    expect([...back.data]).toEqual([0, 7, 255]);
  });

  it('round-trips 16-bit grayscale id masks (Cityscapes, KITTI, MOTS) without scaling the values', async () => {
    const data = Uint16Array.from([0, 1, 1000, 26001, 65535, 7]);
    const png = await sharpRasterCodec.encodePng16!({ width: 3, height: 2, data });
    const meta = await sharp(png).metadata();
    expect(meta).toMatchObject({ channels: 1, depth: 'ushort' });
    const back = await sharpRasterCodec.decodePng16!(png);
    expect([...back.data]).toEqual([...data]);
  });

  it('refuses what is not a PNG', async () => {
    const jpeg = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).jpeg().toBuffer();
    await expect(sharpRasterCodec.decodePng(jpeg)).rejects.toThrow(/not a PNG/);
  });
});
