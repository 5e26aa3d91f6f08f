/**
 * The gauge of a component's ratings: what they are centred on. Bradley-Terry and Davidson fix
 * ratings only up to a constant, so a board reports each model against a reference: the
 * weighted mean w·θ of its component, with w uniform over the component's established models
 * (as many votes as the provisional threshold, or more) and zero on provisional ones; uniform
 * over every model while fewer than two are established.
 *
 * Why not the plain mean: a model with three votes (a newcomer, no finite MLE) has a rating
 * that is hardly determined, and the mean of a component that holds it inherits a fifth of that
 * uncertainty with five models. Every other model's interval, being an interval of its rating
 * minus that mean, widened with it: on a board of four models with 200 votes each, one newcomer
 * with three unbeaten votes took every interval from ±35 to +78/-181 and tied all four ranks.
 * Against the established models, their intervals say what their own votes say, and the
 * newcomer's interval carries its own uncertainty.
 */

/** Weights over a component's models (table order), summing to 1. */
export function referenceWeights(votes: ArrayLike<number>, minVotes: number): Float64Array {
  const k = votes.length;
  const w = new Float64Array(k);
  let n = 0;
  for (let a = 0; a < k; a++) if (votes[a] >= minVotes) n++;
  // One established model alone would be its own reference: a rating fixed at the centre, an
  // interval of zero width. It takes two.
  const all = n < 2;
  for (let a = 0; a < k; a++) w[a] = all ? 1 / k : votes[a] >= minVotes ? 1 / n : 0;
  return w;
}

export function uniformWeights(k: number): Float64Array {
  return new Float64Array(k).fill(k > 0 ? 1 / k : 0);
}

/** x[0..k) minus its w-weighted mean, in place (entries from k on, such as a tie parameter, stay). */
export function centreOn(x: Float64Array, w: Float64Array): Float64Array {
  const k = w.length;
  let mean = 0;
  for (let a = 0; a < k; a++) mean += w[a] * x[a];
  for (let a = 0; a < k; a++) x[a] -= mean;
  return x;
}

/**
 * Replaces the first k rows of A (k x cols, row-major) by C·A with C = I − 1wᵀ: the rows of
 * ratings minus their reference mean.
 */
export function centreRows(a: Float64Array, w: Float64Array, cols: number): void {
  const k = w.length;
  for (let c = 0; c < cols; c++) {
    let mean = 0;
    for (let r = 0; r < k; r++) mean += w[r] * a[r * cols + c];
    for (let r = 0; r < k; r++) a[r * cols + c] -= mean;
  }
}

/** C·A·Cᵀ of a k x k matrix, in place: the covariance of the centred ratings. */
export function centreSquare(a: Float64Array, w: Float64Array): void {
  const k = w.length;
  centreRows(a, w, k);
  for (let r = 0; r < k; r++) {
    let mean = 0;
    for (let c = 0; c < k; c++) mean += w[c] * a[r * k + c];
    for (let c = 0; c < k; c++) a[r * k + c] -= mean;
  }
}

/** The contrast vector of model a's centred rating (length `size` ≥ k; entries past k stay 0). */
export function contrast(a: number, w: Float64Array, size = w.length): Float64Array {
  const c = new Float64Array(size);
  for (let j = 0; j < w.length; j++) c[j] = -w[j];
  c[a] += 1;
  return c;
}

/** Every round (row) of rounds x m bootstrap samples centred on w, in place. */
export function centreSamples(samples: Float64Array, rounds: number, w: Float64Array): void {
  const m = w.length;
  for (let r = 0; r < rounds; r++) centreOn(samples.subarray(r * m, (r + 1) * m), w);
}
