/** Small dense symmetric positive-definite algebra on row-major Float64Arrays (n x n). */

/**
 * In-place Cholesky factorisation A = L L^T (lower triangle of `a` receives L; the upper
 * triangle is left untouched). Returns false if A is not numerically positive definite.
 */
export function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const d = a[rj + j] - dot(a, rj, a, rj, j);
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      a[ri + j] = (a[ri + j] - dot(a, ri, a, rj, j)) * inv;
    }
  }
  return true;
}

/** Σ x[xo + k] · y[yo + k] for k < len, unrolled by four. */
function dot(x: Float64Array, xo: number, y: Float64Array, yo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += x[xo + k] * y[yo + k];
    s1 += x[xo + k + 1] * y[yo + k + 1];
    s2 += x[xo + k + 2] * y[yo + k + 2];
    s3 += x[xo + k + 3] * y[yo + k + 3];
  }
  for (; k < len; k++) s0 += x[xo + k] * y[yo + k];
  return s0 + s1 + (s2 + s3);
}

/** Solves L L^T x = b in place (b becomes x), L from cholesky(). */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    b[i] = (b[i] - dot(l, ri, b, 0, i)) / l[ri + i];
  }
  // L^T x = y, row by row of L (contiguous memory): once x_i is known, remove it from the rest.
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = b[i] / l[ri + i];
    b[i] = xi;
    for (let k = 0; k < i; k++) b[k] -= l[ri + k] * xi;
  }
}

/** Inverse of the SPD matrix whose Cholesky factor is l (full symmetric n x n result). */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    col.fill(0);
    col[j] = 1;
    choleskySolve(l, n, col);
    for (let i = 0; i < n; i++) inv[i * n + j] = col[i];
  }
  return inv;
}

/** out = A x for a full n x n row-major A (rows unrolled by four). */
export function symmetricMatVec(a: Float64Array, n: number, x: Float64Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) out[i] = dot(a, i * n, x, 0, n);
}
