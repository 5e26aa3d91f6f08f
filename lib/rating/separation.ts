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

/** What separationBetween reads from a result (computeRatings with `covariance: true`). */
export interface SeparableResult {
  models: { model: string; rating: number; lower: number; upper: number; component: number }[];
  covariance?: { component: number; models: string[]; matrix: number[] }[];
  diagnostics: { model: 'bradley-terry' | 'davidson'; dispersion: { phi: number; threshold: number } | null };
  davidson?: { tieParameter: number };
}

const ELO_PER_NAT = 400 / Math.LN10;

/**
 * battlesToSeparate for any two models of a result computed with `covariance: true` (the model
 * page's "votes to separate" for a chosen opponent): 0 when their intervals already do not
 * overlap, null when they are in different components (never comparable) or battles between
 * the two alone cannot separate them. Throws when the result has no covariance.
 */
export function separationBetween(result: SeparableResult, modelA: string, modelB: string): number | null {
  const a = result.models.find((m) => m.model === modelA);
  const b = result.models.find((m) => m.model === modelB);
  if (!a || !b) throw new RangeError(`no rated model ${!a ? modelA : modelB}`);
  if (!result.covariance) throw new RangeError('separationBetween needs a result computed with covariance: true');
  if (a.component !== b.component) return null;
  if (a.lower > b.upper || b.lower > a.upper) return 0;
  const cov = result.covariance.find((c) => c.component === a.component)!;
  const k = cov.models.length;
  const i = cov.models.indexOf(modelA);
  const j = cov.models.indexOf(modelB);
  const nat2 = ELO_PER_NAT * ELO_PER_NAT;
  const d = (a.rating - b.rating) / ELO_PER_NAT;
  let information: number;
  if (result.diagnostics.model === 'davidson' && result.davidson) {
    const nu = result.davidson.tieParameter;
    const e = Math.exp(d / 2);
    const z = e + 1 / e + nu;
    const win = e / z;
    const loss = 1 / e / z;
    information = (win + loss) / 4 - ((win - loss) * (win - loss)) / 4;
  } else {
    const q = 1 / (1 + Math.exp(-d));
    information = (q * (1 - q)) / (result.diagnostics.dispersion?.phi ?? 1);
  }
  const n = battlesToSeparate({
    gap: d,
    varI: cov.matrix[i * k + i] / nat2,
    varJ: cov.matrix[j * k + j] / nat2,
    cov: cov.matrix[i * k + j] / nat2,
    information,
    z: Math.sqrt(result.diagnostics.dispersion?.threshold ?? 1.959963984540054 ** 2),
  });
  return n === 0 ? 1 : n;
}
