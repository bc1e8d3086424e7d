/**
 * Number and value formatting as Python writes it. CVAT exports through Datumaro, which writes
 * numbers with `str(float)` and `'%.2f'`, attribute values with `str(value)`; writing the same
 * bytes is what lets an export from here be read, diffed and re-imported like one from CVAT.
 */

/** Python's `repr(float)` / `str(float)`: shortest round-trip digits, always a '.0' or exponent. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() without an argument gives the shortest digits that round-trip, as repr does.
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const frac = digits.slice(1);
    const expOut = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    return `${sign}${digits[0]}${frac ? `.${frac}` : ''}e${expOut}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fracPart = digits.slice(exp + 1);
  return `${sign}${intPart}.${fracPart || '0'}`;
}

/**
 * Python's `'%.Nf' % x`. JavaScript's toFixed rounds exact ties (0.125) away from zero; Python
 * rounds them to even, so ties are detected and settled the Python way.
 */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return pyFloat(x);
  const scale = 10 ** digits;
  const ax = Math.abs(x);
  // An exact decimal tie (x * 10^d ending in .5) is a double whose x * 2^(d+1) is an odd integer;
  // multiplying by a power of two is exact, unlike x * 10^d (2.675 * 100 gives 267.5).
  const t = ax * 2 ** (digits + 1);
  const tie = Number.isInteger(t) && t % 2 === 1;
  const floor = Math.floor(ax * scale);
  const text = tie ? ((floor % 2 === 0 ? floor : floor + 1) / scale).toFixed(digits) : ax.toFixed(digits);
  return x < 0 || Object.is(x, -0) ? `-${text}` : text;
}

/** A value as CVAT hands it to Datumaro: booleans, floats (number attributes), ints and strings. */
export type PyValue =
  | { kind: 'bool'; value: boolean }
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'str'; value: string };

/** Python's `str(value)`. */
export function pyStr(v: PyValue): string {
  switch (v.kind) {
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'float':
      return pyFloat(v.value);
    case 'int':
      return String(Math.trunc(v.value));
    case 'str':
      return v.value;
  }
}

/** Python's `int(value)` as Datumaro's `_convert_attr(name, attrs, int, 0)` applies it. */
export function pyIntOr(v: PyValue | undefined, fallback: number): number {
  if (!v) return fallback;
  switch (v.kind) {
    case 'bool':
      return v.value ? 1 : 0;
    case 'float':
    case 'int':
      return Number.isFinite(v.value) ? Math.trunc(v.value) : fallback;
    case 'str': {
      const m = /^\s*([+-]?\d+)\s*$/.exec(v.value);
      return m ? Number(m[1]) : fallback;
    }
  }
}

/** Text content escaped as lxml serializes it (quotes stay as they are in element text). */
export function xmlText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}
