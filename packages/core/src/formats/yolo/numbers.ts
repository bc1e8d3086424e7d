/**
 * Numbers as YOLO files hold them. Writing matches Python's "%.6f" (what Datumaro uses), which
 * rounds exact ties to even where JavaScript's toFixed rounds them up; ties are common here:
 * integer pixel coordinates on 640- or 1280-wide images give values like 5/640 = 0.0078125.
 * Reading is strict: every field must be a plain finite number, so "nan", "1,5" or "0x10" fail
 * with the file and line instead of turning into NaN coordinates.
 */
import { DatasetFormatError } from '../model.js';

/** Python's `'%.6f' % x`. */
export function fixed6(x: number): string {
  // A value lies exactly halfway between two 6-decimal numbers only if it is an odd multiple of
  // 1/128 (10^-6 / 2 = 1 / (2^7 * 5^6)); multiplying by 128 is exact in binary floating point.
  const t = x * 128;
  if (Number.isInteger(t) && t % 2 !== 0) {
    let k = Math.floor(Math.abs(x) * 1e6);
    if (k % 2 === 1) k += 1;
    const digits = String(k).padStart(7, '0');
    return `${x < 0 ? '-' : ''}${digits.slice(0, -6)}.${digits.slice(-6)}`;
  }
  return x.toFixed(6);
}

/** The value a reader gets back from `fixed6(x)`: exports compute derived numbers from it. */
export function rounded6(x: number): number {
  return Number(fixed6(x));
}

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Where a field sits, for error messages. */
export interface FieldAt {
  file: string;
  line: number;
}

export function parseIntField(value: string, what: string, at: FieldAt): number {
  if (!INT_RE.test(value)) throw new DatasetFormatError(at.file, `${what} "${value}" is not an integer`, { line: at.line });
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new DatasetFormatError(at.file, `${what} ${value} is too large`, { line: at.line });
  return n;
}

export function parseFloatField(value: string, what: string, at: FieldAt): number {
  const n = FLOAT_RE.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new DatasetFormatError(at.file, `${what} "${value}" is not a number`, { line: at.line });
  return n;
}

/**
 * How far outside [0, 1] a normalized value may be before the line is refused: tools round, and
 * CVAT itself writes boxes that overhang the image edge slightly; anything beyond is a broken file.
 */
export const RANGE_TOLERANCE = 0.01;

/** A normalized coordinate, refused when outside [0, 1] by more than the tolerance. */
export function parseUnitField(value: string, what: string, at: FieldAt): number {
  const n = parseFloatField(value, what, at);
  if (n < -RANGE_TOLERANCE || n > 1 + RANGE_TOLERANCE) {
    throw new DatasetFormatError(at.file, `${what} ${value} is outside [0, 1]`, { line: at.line });
  }
  return n;
}
