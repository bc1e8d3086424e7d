/**
 * Numbers as CVAT's Python writes them, so our files match CVAT's byte for byte: "{:.2f}" in CVAT
 * XML, str(float) in MOT. JavaScript differs on exact ties (0.125: Python "0.12", JS "0.13"),
 * on negative zero, and on when it switches to exponent notation.
 */

/** Python's "{:.2f}".format(x). */
export function fixed2(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const a = Math.abs(x);
  // A tie at two decimals is (2m+1)/200, which a double holds only when it is an odd multiple
  // of 1/8; Python rounds those half to even, toFixed rounds them up.
  const eighths = a * 8;
  if (Number.isInteger(eighths) && eighths % 2 === 1 && a < 2 ** 40) {
    let n = Math.floor(a * 100);
    if (n % 2 === 1) n += 1;
    return `${sign}${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
  }
  return sign + a.toFixed(2);
}

/** Python's str() of a float: shortest round-trip digits, ".0" on integers, exponent outside 1e-4..1e16. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa = '', expText = '0'] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const sign = x < 0 ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  return `${sign}${whole}.${digits.slice(exp + 1) || '0'}`;
}
