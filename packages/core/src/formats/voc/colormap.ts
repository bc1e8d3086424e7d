/**
 * PASCAL VOC's colors and default labels. Class and instance PNGs color index i with the VOC
 * colormap (bits of i spread over the high bits of R, G and B), which is what lets a reader map a
 * pixel's color back to a class or instance number.
 */

export type Rgb = readonly [number, number, number];

/** Colors of indexes 0..length-1, as VOC's devkit (and Datumaro's generate_colormap) makes them. */
export function vocColormap(length: number): Rgb[] {
  const out: Rgb[] = [];
  for (let i = 0; i < length; i++) {
    const c = [0, 0, 0];
    let id = i;
    for (let j = 7; j >= 0; j--) {
      for (let ch = 0; ch < 3; ch++) c[ch]! |= ((id >> ch) & 1) << j;
      id >>= 3;
    }
    out.push([c[0]!, c[1]!, c[2]!]);
  }
  return out;
}

/** The 256 instance colors of SegmentationObject PNGs. */
export const INSTANCE_COLORS: readonly Rgb[] = vocColormap(256);

/** VOC's own labels with their class numbers (ignored is 255, the "void" border color). */
export const VOC_LABELS: ReadonlyArray<readonly [string, number]> = [
  ['background', 0], ['aeroplane', 1], ['bicycle', 2], ['bird', 3], ['boat', 4], ['bottle', 5], ['bus', 6],
  ['car', 7], ['cat', 8], ['chair', 9], ['cow', 10], ['diningtable', 11], ['dog', 12], ['horse', 13],
  ['motorbike', 14], ['person', 15], ['pottedplant', 16], ['sheep', 17], ['sofa', 18], ['train', 19],
  ['tvmonitor', 20], ['ignored', 255],
];

export const VOC_BODY_PARTS = ['head', 'hand', 'foot'] as const;

export const VOC_ACTIONS = [
  'other', 'jumping', 'phoning', 'playinginstrument', 'reading', 'ridingbike', 'ridinghorse', 'running',
  'takingphoto', 'usingcomputer', 'walking',
] as const;

export function rgbKey(c: Rgb): number {
  return (c[0] << 16) | (c[1] << 8) | c[2];
}

export function rgbToHex(c: Rgb): string {
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

export function hexToRgb(hex: string): Rgb | null {
  const m = /^#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})$/.exec(hex);
  return m ? [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)] : null;
}
