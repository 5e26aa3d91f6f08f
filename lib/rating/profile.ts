import { maximizeConcave, type ConcaveObjective } from './newton';

/**
 * Profile-likelihood intervals of linear contrasts c·x of the parameters of a strictly concave
 * (penalised) objective f: the set of values v whose profile deviance
 * D(v) = 2 (max f − max{f(x) : c·x = v}) stays below a threshold (3.84 for 95 % under χ²₁;
 * with few battles the caller scales it by `smallSampleFactor`, below).
 *
 * The constrained maxima are found without constraints, through the tilt f(x) + μ c·x: its
 * maximiser x(μ) is the constrained maximiser for v = c·x(μ), and v grows with μ. So each end
 * of the interval is a root in μ of the signed root deviance r(μ) = √D(x(μ)) − √threshold,
 * solved by a safeguarded secant from the quadratic (Wald) guess μ = √threshold / √(c·A c),
 * A the inverse Newton matrix at the maximum. Every tilted fit is the shared Newton optimiser,
 * started from the first-order prediction and stepped with A while that converges fast, so an
 * end costs a few gradient passes where the objective is nearly quadratic (many battles) and a
 * few full Newton fits where it is not (few battles, where the profile matters).
 *
 * A prior with linear tails (the virtual ties) keeps D growing at least linearly, so both ends
 * are finite; a tilt steeper than those tails has no maximiser, which the search detects (a fit
 * that runs past `bound`) and treats as lying beyond the end.
 */
export interface ProfileProblem {
  objective: ConcaveObjective;
  /** Maximiser of the objective, its value, and the inverse Newton matrix there (full n x n). */
  peak: Float64Array;
  peakValue: number;
  inverse: Float64Array;
  /** Deviance threshold. */
  threshold: number;
}

/** Magnitude beyond which a tilted fit is taken to have no maximum (natural-log units). */
const BOUND = 200;
/** Relative accuracy of the end's root deviance (1e-3 of 1.96: ~2e-3 standard errors). */
const TOLERANCE = 1e-3;

export function profileInterval(problem: ProfileProblem, c: Float64Array): { lower: number; upper: number } {
  const { peak, inverse } = problem;
  const n = peak.length;
  const ac = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += inverse[r * n + k] * c[k];
    ac[r] = s;
  }
  let cac = 0;
  let centre = 0;
  for (let k = 0; k < n; k++) {
    cac += c[k] * ac[k];
    centre += c[k] * peak[k];
  }
  if (!(cac > 0)) return { lower: centre, upper: centre };
  return { lower: profileEnd(problem, c, ac, cac, -1), upper: profileEnd(problem, c, ac, cac, 1) };
}

interface Point {
  mu: number;
  r: number;
  v: number;
  x: Float64Array | null;
}

function profileEnd(problem: ProfileProblem, c: Float64Array, ac: Float64Array, cac: number, sign: 1 | -1): number {
  const { objective, peak, peakValue, inverse, threshold } = problem;
  const n = peak.length;
  const target = Math.sqrt(threshold);
  const tilted: ConcaveObjective = {
    size: n,
    scale: objective.scale,
    project: objective.project,
    evaluate(x, g, h) {
      let cx = 0;
      for (let k = 0; k < n; k++) cx += c[k] * x[k];
      const f = objective.evaluate(x, g, h);
      if (g) for (let k = 0; k < n; k++) g[k] += sign * mu * c[k];
      return f + sign * mu * cx;
    },
    gradient: objective.gradient
      ? (x, g) => {
          objective.gradient!(x, g);
          for (let k = 0; k < n; k++) g[k] += sign * mu * c[k];
        }
      : undefined,
  };
  let mu = 0;
  const start = new Float64Array(n);
  // A gradient g left in a tilted fit moves the end by about |A g| and the deviance by gᵀA g:
  // scaled by the largest variance, 1e-6 / max A_kk keeps the end within ~1e-6 standard errors.
  let maxVar = 0;
  for (let k = 0; k < n; k++) maxVar = Math.max(maxVar, inverse[k * n + k]);
  const tol = Math.max(1e-9, 1e-6 / Math.max(1e-12, Math.sqrt(maxVar)) / Math.max(1, Math.sqrt(n)));
  const at = (m: number, from: Point | null): Point => {
    mu = m;
    // first-order prediction of the tilted maximiser from the nearest solved point
    const base = from?.x ?? peak;
    const baseMu = from?.x ? from.mu : 0;
    for (let k = 0; k < n; k++) start[k] = base[k] + sign * (m - baseMu) * ac[k];
    const fit = maximizeConcave(tilted, start, { fixedInverse: inverse, bound: BOUND, tol });
    if (fit.diverged || !fit.converged && fit.gradientNorm > 1e-5 * Math.max(1, objective.scale ?? 1)) {
      return { mu: m, r: Infinity, v: NaN, x: null };
    }
    let cx = 0;
    for (let k = 0; k < n; k++) cx += c[k] * fit.x[k];
    const f = fit.value - sign * m * cx;
    return { mu: m, r: Math.sqrt(Math.max(0, 2 * (peakValue - f))), v: cx, x: fit.x };
  };

  let centre = 0;
  for (let k = 0; k < n; k++) centre += c[k] * peak[k];
  let lo: Point = { mu: 0, r: 0, v: centre, x: peak };
  let hi: Point | null = null;
  // Newton steps on r(μ) with the slope of the quadratic model, dr/dμ ≈ μ · cᵀAc / r, kept
  // inside the bracket [lo, hi] (secant or bisection when a step leaves it). Where the profile
  // is nearly quadratic (many battles) the first guess is within a hair and one step finishes.
  let p = at(target / Math.sqrt(cac), lo);
  for (let it = 0; it < 100; it++) {
    if (Number.isFinite(p.r) && Math.abs(p.r - target) <= TOLERANCE * target) return p.v;
    if (p.r < target) lo = p;
    else hi = p;
    let next = NaN;
    if (Number.isFinite(p.r) && p.r > 0) next = p.mu + (target - p.r) / ((p.mu * cac) / p.r);
    if (!(next > lo.mu) || (hi && !(next < hi.mu))) {
      if (!hi) next = lo.mu * 2;
      else if (Number.isFinite(hi.r)) next = lo.mu + ((target - lo.r) * (hi.mu - lo.mu)) / (hi.r - lo.r);
      else next = 0.5 * (lo.mu + hi.mu);
      if (hi && !(next > lo.mu && next < hi.mu)) next = 0.5 * (lo.mu + hi.mu);
    }
    if (hi && hi.mu - lo.mu <= 1e-12 * hi.mu) break;
    p = at(next, lo);
  }
  if (hi && Number.isFinite(hi.r) && Number.isFinite(hi.v)) {
    // interpolate v between the bracket ends at the target deviance
    const w = (target - lo.r) / (hi.r - lo.r);
    return lo.v + w * (hi.v - lo.v);
  }
  return lo.v;
}

/** Effective battles up to which the small-sample factor is summed exactly (beyond: its 1/n tail). */
const EXACT_BATTLES = 60;
const factorCache = new Map<string, number>();

/**
 * Small-sample factor of the deviance threshold: the expected penalised deviance E[D] at the
 * truth for one model that has fought `battles` even battles (against an opponent of its own
 * strength) under the quasi-likelihood with dispersion `phi`, ties in the share 1 − φ that an
 * even battle has under that dispersion, and the virtual-tie prior — exact, summed over every
 * count of wins, ties and losses (the maximiser is closed-form: σ(θ̂) = (s/φ + ½) / (n/φ + 1)).
 *
 * The χ²₁ cut-off presumes E[D] = 1. With a handful of battles the deviance is a discrete
 * variable with a smaller mean — 0.63 after one battle, 0.91 after four, about 1 − 0.35 / n
 * beyond — and the profile interval over-covers (97 % for 95 % at ~4 battles a model). A
 * Bartlett correction (Bartlett 1937; Lawley 1956) divides D by its mean, i.e. multiplies the
 * threshold by it; here the mean is computed exactly for the one-model problem instead of to
 * O(1/n) in the full one. The caller passes the contrast's information as a battle count,
 * n = 4φ / Var(c·θ) (an even battle carries 1 / (4φ)), so a model with many battles against
 * thinly rated opponents counts as few. Ties count half (a tie halves a battle's variance), so
 * heavy ties soften the factor. It tends to 1 as 1/n: no effect where battles are plentiful.
 */
export function smallSampleFactor(battles: number, phi: number): number {
  if (!(battles > 0) || !(phi > 0) || !(phi <= 1)) return 1;
  const n = Math.max(1, Math.round(battles));
  if (n > EXACT_BATTLES) return 1 - ((1 - smallSampleFactor(EXACT_BATTLES, phi)) * EXACT_BATTLES) / n;
  const key = `${n}|${phi.toFixed(4)}`;
  const hit = factorCache.get(key);
  if (hit !== undefined) return hit;
  const tieShare = 1 - phi;
  const logWin = Math.log(phi / 2);
  const logTie = tieShare > 0 ? Math.log(tieShare) : -Infinity;
  const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  const f = (s: number, x: number) => (s * x - n * softplus(x)) / phi + 0.5 * x - softplus(x);
  const logFact = [0];
  for (let k = 1; k <= n; k++) logFact.push(logFact[k - 1] + Math.log(k));
  let mean = 0;
  for (let wins = 0; wins <= n; wins++) {
    for (let ties = 0; wins + ties <= n; ties++) {
      if (ties > 0 && tieShare === 0) break;
      const losses = n - wins - ties;
      const logP = logFact[n] - logFact[wins] - logFact[ties] - logFact[losses] + (wins + losses) * logWin + (ties ? ties * logTie : 0);
      const s = wins + ties / 2;
      const sig = (s / phi + 0.5) / (n / phi + 1);
      mean += Math.exp(logP) * 2 * (f(s, Math.log(sig / (1 - sig))) - f(s, 0));
    }
  }
  const factor = Math.min(1, mean);
  if (factorCache.size >= 10_000) factorCache.clear(); // one entry per (count, φ): keep it bounded
  factorCache.set(key, factor);
  return factor;
}
