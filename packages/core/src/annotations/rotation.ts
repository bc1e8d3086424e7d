/** Rotation angles in degrees, as CVAT keeps them: [0, 360), clockwise. */

/** x mod m with the sign of m, as Python's %: adding m only to a negative remainder keeps 0.1 exactly 0.1. */
function floorMod(x: number, m: number): number {
  const r = x % m;
  return r !== 0 && r < 0 !== m < 0 ? r + m : r;
}

/** Degrees in [0, 360). */
export function normalizeRotation(deg: number): number {
  const r = floorMod(deg, 360);
  return r === 0 ? 0 : r; // no -0
}

/**
 * The signed turn from `from` to `to` degrees the shorter way round (CVAT's find_angle_diff).
 * A half turn goes +180, as in CVAT's UI (cvat-core findAngleDiff); CVAT's server computes +1
 * there because of an operator-precedence slip in its port of the same function.
 */
export function angleDiff(to: number, from: number): number {
  const d = floorMod(to - from + 180, 360) - 180;
  return d === -180 ? 180 : d;
}
