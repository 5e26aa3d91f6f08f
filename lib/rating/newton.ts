import { cholesky, choleskySolve, symmetricMatVec } from './linalg';

/**
 * The one optimiser of the rating engine: Newton's method with a backtracking line search for
 * concave objectives (Bradley-Terry, its penalised and tilted forms, style control, Davidson).
 */

/** A concave objective over `size` parameters. */
export interface ConcaveObjective {
  size: number;
  /**
   * The objective at x. When `g` is given, its gradient goes there; when `h` is given too, a
   * symmetric positive-definite Newton matrix goes there (at least its lower triangle): the
   * negative Hessian, or — where that is singular along a direction the objective does not
   * depend on (a rating scale's shift) — the negative Hessian plus a multiple of that direction's
   * outer product, which leaves Newton steps for gradients orthogonal to it unchanged.
   */
  evaluate(x: Float64Array, g: Float64Array | null, h: Float64Array | null): number;
  /**
   * The gradient alone, when it is much cheaper than the value (no logarithms): used by the
   * fixed-matrix steps, which need the value only once at the end.
   */
  gradient?(x: Float64Array, g: Float64Array): void;
  /** Applied after every step, e.g. centring ratings defined up to a shift. */
  project?(x: Float64Array): void;
  /** Size of the data (e.g. total battles): gradients below 1e-7 · scale are at rounding level. */
  scale?: number;
}

export interface MaximizeOptions {
  /** Stop when the infinity norm of the gradient is below this. Default 1e-9. */
  tol?: number;
  maxIter?: number;
  /**
   * Inverse of a Newton matrix near the optimum (full n x n, e.g. at a nearby fit). Steps
   * x ← x + A g are tried first — one matrix-vector product each — while they shrink the
   * gradient fast; otherwise the method falls back to fresh Newton steps with a line search.
   */
  fixedInverse?: Float64Array;
  /** Stop (diverged) when a parameter's magnitude exceeds this: the objective has no maximum. */
  bound?: number;
}

export interface MaximizeResult {
  x: Float64Array;
  value: number;
  iterations: number;
  gradientNorm: number;
  converged: boolean;
  /** A parameter ran past `bound`: the objective is unbounded above along some direction. */
  diverged: boolean;
}

export const GRADIENT_TOLERANCE = 1e-9;

function infNorm(g: Float64Array, n: number): number {
  let norm = 0;
  for (let k = 0; k < n; k++) norm = Math.max(norm, Math.abs(g[k]));
  return norm;
}

function beyond(x: Float64Array, n: number, bound: number): boolean {
  for (let k = 0; k < n; k++) if (!(Math.abs(x[k]) <= bound)) return true;
  return false;
}

/** Maximises a concave objective from x0 (not modified). */
export function maximizeConcave(obj: ConcaveObjective, x0: Float64Array, opts: MaximizeOptions = {}): MaximizeResult {
  const n = obj.size;
  const tol = opts.tol ?? GRADIENT_TOLERANCE;
  const maxIter = opts.maxIter ?? 200;
  const bound = opts.bound ?? Infinity;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  const h = new Float64Array(n * n);
  const step = new Float64Array(n);
  const trial = new Float64Array(n);
  const gradientOnly = opts.fixedInverse && obj.gradient ? obj.gradient.bind(obj) : null;
  // With a cheap gradient and a fixed matrix, the value is not needed until those steps end.
  let f = NaN;
  if (gradientOnly) gradientOnly(x, g);
  else f = obj.evaluate(x, g, null);
  let gn = infNorm(g, n);
  let iter = 0;
  const floor = 1e-7 * Math.max(1, obj.scale ?? 1);

  if (opts.fixedInverse && gn >= tol) {
    // Fixed-matrix steps: linear convergence at a rate set by how far the matrix is from the
    // current Hessian; kept only while each step at least halves the gradient.
    // With a cheap gradient, steps are judged by the gradient alone (for a concave objective a
    // shrinking gradient means approaching the maximum) and the value is computed once.
    const a = opts.fixedInverse;
    for (let tries = 0; tries < 50 && gn >= tol; tries++) {
      symmetricMatVec(a, n, g, step);
      for (let k = 0; k < n; k++) trial[k] = x[k] + step[k];
      obj.project?.(trial);
      let fNew = f;
      if (gradientOnly) gradientOnly(trial, step); // step reused as the trial gradient
      else fNew = obj.evaluate(trial, step, null);
      const gNew = infNorm(step, n);
      if (!gradientOnly && !(fNew >= f - 1e-12 * (Math.abs(f) + 1))) break;
      if (!(gNew < 0.5 * gn)) break;
      x.set(trial);
      g.set(step);
      f = fNew;
      gn = gNew;
      iter++;
      if (beyond(x, n, bound)) return { x, value: obj.evaluate(x, null, null), iterations: iter, gradientNorm: gn, converged: false, diverged: true };
    }
  }
  if (gradientOnly) f = obj.evaluate(x, g, null);

  let best = gn;
  let stall = 0;
  while (gn >= tol && iter < maxIter) {
    iter++;
    obj.evaluate(x, g, h);
    if (!cholesky(h, n)) break;
    step.set(g);
    choleskySolve(h, n, step);
    let slope = 0;
    for (let k = 0; k < n; k++) slope += g[k] * step[k];
    // Objective values of large data sets differ in the last bits only near the optimum: allow
    // rounding-level decreases so that the final quadratic steps are always taken.
    const slack = 1e-12 * (Math.abs(f) + 1);
    let t = 1;
    let fNew = f;
    for (let tries = 0; tries < 60; tries++) {
      for (let k = 0; k < n; k++) trial[k] = x[k] + t * step[k];
      fNew = obj.evaluate(trial, null, null);
      if (fNew >= f + 1e-4 * t * slope - slack) break;
      t *= 0.5;
    }
    x.set(trial);
    obj.project?.(x);
    f = obj.evaluate(x, g, null);
    gn = infNorm(g, n);
    if (beyond(x, n, bound)) return { x, value: f, iterations: iter, gradientNorm: gn, converged: false, diverged: true };
    // Floating-point floor: the gradient stops shrinking. Three non-improving Newton steps in a
    // row mean we are at the precision limit of the data; stop and report the norm honestly.
    if (gn < best * 0.5) {
      best = gn;
      stall = 0;
    } else if (gn < floor && ++stall >= 3) break;
  }
  return { x, value: f, iterations: iter, gradientNorm: gn, converged: gn < tol, diverged: false };
}
