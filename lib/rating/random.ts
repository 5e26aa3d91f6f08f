/**
 * Seeded randomness for the bootstrap: xoshiro128** (Blackman & Vigna) seeded through
 * splitmix32, an exact binomial sampler (inversion for small means, BTPE of Kachitvichyanukul &
 * Schmeiser 1988 otherwise, the same split numpy uses) and multinomial draws as a chain of
 * conditional binomials. Everything is 32-bit integer arithmetic, so results are identical on
 * every platform for the same seed.
 */

function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let t = state.x ^ (state.x >>> 16);
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  return (t ^ (t >>> 15)) >>> 0;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * `seed` is any safe integer; `stream` selects an independent sequence for the same seed (the
   * bootstrap gives every round its own stream, so results do not depend on how rounds are
   * scheduled).
   */
  constructor(seed: number, stream = 0) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    const st = { x: lo };
    st.x = (splitmix32(st) ^ hi) | 0;
    st.x = (splitmix32(st) ^ stream) | 0;
    this.s0 = splitmix32(st) | 0;
    this.s1 = splitmix32(st) | 0;
    this.s2 = splitmix32(st) | 0;
    this.s3 = splitmix32(st) | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Number of successes in n trials of probability p (exact). */
export function binomial(rng: Rng, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p <= 0.5) return n * p <= 30 ? binomialInversion(rng, n, p) : binomialBtpe(rng, n, p);
  const q = 1 - p;
  return n - (n * q <= 30 ? binomialInversion(rng, n, q) : binomialBtpe(rng, n, q));
}

/** Sequential search from 0; expected cost O(n p), used only when n p <= 30. */
function binomialInversion(rng: Rng, n: number, p: number): number {
  const q = 1 - p;
  const qn = Math.exp(n * Math.log1p(-p));
  const np = n * p;
  // The search restarts past a bound far in the tail (probability below 1e-20) only as a guard
  // against floating-point leftovers in u.
  const bound = Math.min(n, Math.floor(np + 10 * Math.sqrt(np * q + 1)));
  let x = 0;
  let px = qn;
  let u = rng.nextDouble();
  while (u > px) {
    x++;
    if (x > bound) {
      x = 0;
      px = qn;
      u = rng.nextDouble();
    } else {
      u -= px;
      px = ((n - x + 1) * p * px) / (x * q);
    }
  }
  return x;
}

/** BTPE acceptance/rejection for n p > 30 and p <= 0.5. */
function binomialBtpe(rng: Rng, n: number, p: number): number {
  const r = p;
  const q = 1 - r;
  const fm = n * r + r;
  const m = Math.floor(fm);
  const nrq = n * r * q;
  const p1 = Math.floor(2.195 * Math.sqrt(nrq) - 4.6 * q) + 0.5;
  const xm = m + 0.5;
  const xl = xm - p1;
  const xr = xm + p1;
  const c = 0.134 + 20.5 / (15.3 + m);
  let a = (fm - xl) / (fm - xl * r);
  const laml = a * (1 + a / 2);
  a = (xr - fm) / (xr * q);
  const lamr = a * (1 + a / 2);
  const p2 = p1 * (1 + 2 * c);
  const p3 = p2 + c / laml;
  const p4 = p3 + c / lamr;

  for (;;) {
    const u = rng.nextDouble() * p4;
    let v = rng.nextDouble();
    let y: number;
    if (u <= p1) {
      // Triangular region: accepted at once.
      return Math.floor(xm - p1 * v + u);
    }
    if (u <= p2) {
      const x = xl + (u - p1) / c;
      v = v * c + 1 - Math.abs(m - x + 0.5) / p1;
      if (v > 1) continue;
      y = Math.floor(x);
    } else if (u <= p3) {
      y = Math.floor(xl + Math.log(v) / laml);
      if (y < 0 || v === 0) continue;
      v = v * (u - p2) * laml;
    } else {
      y = Math.floor(xr - Math.log(v) / lamr);
      if (y > n || v === 0) continue;
      v = v * (u - p3) * lamr;
    }
    const k = Math.abs(y - m);
    if (k <= 20 || k >= nrq / 2 - 1) {
      // Explicit evaluation of f(y) / f(m) by the recurrence.
      const s = r / q;
      const aa = s * (n + 1);
      let f = 1;
      if (m < y) for (let i = m + 1; i <= y; i++) f *= aa / i - s;
      else if (m > y) for (let i = y + 1; i <= m; i++) f /= aa / i - s;
      if (v > f) continue;
      return y;
    }
    // Squeeze, then the final test with Stirling's series for log f(y) / f(m).
    const rho = (k / nrq) * ((k * (k / 3 + 0.625) + 0.16666666666666666) / nrq + 0.5);
    const t = (-k * k) / (2 * nrq);
    const A = Math.log(v);
    if (A < t - rho) return y;
    if (A > t + rho) continue;
    const x1 = y + 1;
    const f1 = m + 1;
    const z = n + 1 - m;
    const w = n - y + 1;
    const x2 = x1 * x1;
    const f2 = f1 * f1;
    const z2 = z * z;
    const w2 = w * w;
    const bound =
      xm * Math.log(f1 / x1) +
      (n - m + 0.5) * Math.log(z / w) +
      (y - m) * Math.log((w * r) / (x1 * q)) +
      stirlingTail(f1, f2) +
      stirlingTail(z, z2) +
      stirlingTail(x1, x2) +
      stirlingTail(w, w2);
    if (A > bound) continue;
    return y;
  }
}

function stirlingTail(x: number, x2: number): number {
  return (13680 - (462 - (132 - (99 - 140 / x2) / x2) / x2) / x2) / x / 166320;
}

/**
 * Conditional probabilities for multinomial sampling by sequential binomials:
 * cond[k] = p[k] / (p[k] + p[k+1] + ...), computed once and reused by every draw.
 */
export function conditionalProbabilities(p: ArrayLike<number>): Float64Array {
  const k = p.length;
  const cond = new Float64Array(k);
  let tail = 0;
  for (let i = k - 1; i >= 0; i--) {
    tail += p[i];
    cond[i] = tail > 0 ? Math.min(1, p[i] / tail) : 0;
  }
  if (k > 0) cond[k - 1] = p[k - 1] > 0 ? 1 : 0;
  return cond;
}

/** One multinomial draw of n trials into out (length = cond.length). */
export function multinomial(rng: Rng, n: number, cond: Float64Array, out: Float64Array): void {
  let left = n;
  const k = cond.length;
  for (let i = 0; i < k; i++) {
    if (left === 0) {
      out[i] = 0;
      continue;
    }
    const x = binomial(rng, left, cond[i]);
    out[i] = x;
    left -= x;
  }
  // cond[k-1] = 1 puts every remaining trial in the last non-empty category; nothing is lost.
}
