/**
 * How many more battles between two models it takes before their 95 % intervals stop
 * overlapping — the point where Rank (UB) tells them apart — if the current estimates are right.
 *
 * Closed form from the Fisher information: n more battles between i and j add n·w·ccᵀ to the
 * information (c = e_i − e_j, w the information of one battle at the current gap), so by
 * Sherman-Morrison the covariance of the centred ratings becomes
 *
 *   V(n) = V − n w (V c)(V c)ᵀ / (1 + n w cᵀV c),
 *
 * and the two half-widths z √V_ii(n) and z √V_jj(n) shrink towards a floor set by everything
 * else the ratings depend on (their opponents). The answer is the smallest n with
 * |gap| > z (√V_ii(n) + √V_jj(n)); null when even unlimited battles between the two cannot
 * separate them (a gap of zero, or a floor too high: they need battles against others).
 */
export interface SeparationInput {
  /** Estimated rating gap θi − θj (natural units; the sign does not matter). */
  gap: number;
  /** Centred covariance entries V_ii, V_jj, V_ij (natural units²). */
  varI: number;
  varJ: number;
  cov: number;
  /** Fisher information about θi − θj of one battle between them. */
  information: number;
  /** Half-width of an interval in standard errors (1.96, or √ of the profile's threshold). */
  z: number;
}

/** Largest count returned; anything beyond is reported as unreachable (null). */
const MAX_BATTLES = 1e9;

function halfWidths(s: SeparationInput, n: number): number {
  const vcI = s.varI - s.cov;
  const vcJ = s.cov - s.varJ;
  const cvc = s.varI + s.varJ - 2 * s.cov;
  const nw = n * s.information;
  const shrink = Number.isFinite(nw) ? nw / (1 + nw * cvc) : cvc > 0 ? 1 / cvc : 0;
  const vi = Math.max(0, s.varI - shrink * vcI * vcI);
  const vj = Math.max(0, s.varJ - shrink * vcJ * vcJ);
  return s.z * (Math.sqrt(vi) + Math.sqrt(vj));
}

export function battlesToSeparate(s: SeparationInput): number | null {
  const gap = Math.abs(s.gap);
  if (!(gap > 0) || !(s.information > 0) || !Number.isFinite(gap)) return null;
  if (halfWidths(s, 0) < gap) return 0;
  if (halfWidths(s, Infinity) >= gap) return null;
  let lo = 0; // not separated
  let hi = 1;
  while (halfWidths(s, hi) >= gap) {
    lo = hi;
    hi *= 2;
    if (hi > MAX_BATTLES) return null;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (halfWidths(s, mid) < gap) hi = mid;
    else lo = mid;
  }
  return hi;
}
