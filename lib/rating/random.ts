/**
 * Seeded randomness for the bootstrap: xoshiro128** (Blackman & Vigna) seeded through
 * splitmix32, an exact binomial sampler (inversion for means below 10, Hörmann's BTRS transformed
 * rejection otherwise) and multinomial draws as a chain of
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
  // State as int32 words in a typed array: keeps every operation in 32-bit integer registers.
  private readonly s = new Int32Array(4);

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
    const s = this.s;
    for (let k = 0; k < 4; k++) s[k] = splitmix32(st);
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  }

  nextUint32(): number {
    const s = this.s;
    const s1 = s[1];
    const x = Math.imul(s1, 5);
    const r = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    s[2] ^= s[0];
    s[3] ^= s1;
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    const s3 = s[3];
    s[3] = (s3 << 11) | (s3 >>> 21);
    return r >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * The next out.length values of nextDouble(), generated with the state in registers: the same
   * numbers, several times faster than one call per value.
   */
  fillDoubles(out: Float64Array): void {
    const s = this.s;
    let s0 = s[0];
    let s1 = s[1];
    let s2 = s[2];
    let s3 = s[3];
    for (let k = 0; k < out.length; k++) {
      let x = Math.imul(s1, 5);
      const a = Math.imul((x << 7) | (x >>> 25), 9) >>> 5;
      let t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      x = Math.imul(s1, 5);
      const b = Math.imul((x << 7) | (x >>> 25), 9) >>> 6;
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      out[k] = (a * 67108864 + b) / 9007199254740992;
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
  }
}

/** Uniforms from an Rng, generated in blocks (fillDoubles); the same sequence as nextDouble(). */
class Uniforms {
  private readonly block = new Float64Array(256);
  private at = 256;
  rng: Rng | null = null;

  reset(rng: Rng): void {
    this.rng = rng;
    this.at = this.block.length;
  }

  next(): number {
    if (this.at === this.block.length) {
      this.rng!.fillDoubles(this.block);
      this.at = 0;
    }
    return this.block[this.at++];
  }
}


/**
 * Walker's alias table (Vose's construction): one categorical draw in O(1) from one uniform.
 */
export class AliasTable {
  readonly size: number;
  private readonly threshold: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: ArrayLike<number>) {
    const k = weights.length;
    this.size = k;
    this.threshold = new Float64Array(k);
    this.alias = new Int32Array(k);
    let total = 0;
    for (let i = 0; i < k; i++) total += weights[i];
    const scaled = new Float64Array(k);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < k; i++) {
      scaled[i] = total > 0 ? (weights[i] * k) / total : 1;
      (scaled[i] < 1 ? small : large).push(i);
    }
    while (small.length && large.length) {
      const s = small.pop()!;
      const l = large[large.length - 1];
      this.threshold[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) {
        large.pop();
        small.push(l);
      }
    }
    for (const i of large) {
      this.threshold[i] = 1;
      this.alias[i] = i;
    }
    for (const i of small) {
      this.threshold[i] = 1; // only reached through rounding
      this.alias[i] = i;
    }
  }

  draw(rng: Rng): number {
    return this.pick(rng.nextDouble());
  }

  /** The category for the uniform u in [0, 1). */
  pick(u: number): number {
    const x = u * this.size;
    const i = Math.floor(x);
    return x - i < this.threshold[i] ? i : this.alias[i];
  }
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_FACTORIAL_TABLE = (() => {
  const t = new Float64Array(256);
  for (let k = 2; k < 256; k++) t[k] = t[k - 1] + Math.log(k);
  return t;
})();

/** log(k!) for integer k >= 0: a table below 256, Stirling's series above (error < 1e-16 relative). */
export function logFactorial(k: number): number {
  if (k < 256) return LOG_FACTORIAL_TABLE[k];
  const y = k + 1;
  const y2 = y * y;
  return (y - 0.5) * Math.log(y) - y + LOG_SQRT_2PI + (1 / 12 - (1 / 360 - 1 / (1260 * y2)) / y2) / y;
}

/**
 * Exact draws from Multinomial(n, p) over K cells, built for many draws with the same (n, p).
 *
 * For n much larger than K it uses Poissonisation: draw X_k ~ Poisson(λ p_k) independently with
 * λ = n − 3√n; their total T is Poisson(λ) and, given T, X is Multinomial(T, p). Rounds with
 * T > n (about 0.1 %) are redrawn — that depends on T alone, so the conditional law is intact —
 * and the n − T missing trials are added as single categorical draws (alias table). The result
 * is Multinomial(n, p) exactly, at the cost of one Poisson variate per cell plus about 3√n
 * categorical draws, instead of n draws. The Poisson means are fixed, so each cell's constants
 * are computed once. Poisson variates: inversion by sequential search for means below 10, and
 * PTRS (Hörmann 1993, "The transformed rejection method for generating Poisson random
 * variables"; the method numpy uses) otherwise.
 *
 * For small n (n <= 4K) it simply draws the n trials from the alias table.
 */
export class MultinomialSampler {
  readonly cells: number;
  private readonly n: number;
  private readonly alias: AliasTable;
  private readonly usePoisson: boolean;
  // Per cell: mean and, for PTRS, its constants (6 per cell); for inversion e^{-μ}.
  private readonly mean: Float64Array = new Float64Array(0);
  private readonly consts: Float64Array = new Float64Array(0);

  constructor(weights: ArrayLike<number>, n: number) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`trials must be a non-negative integer, got ${n}`);
    const k = weights.length;
    this.cells = k;
    this.n = n;
    this.alias = new AliasTable(weights);
    this.usePoisson = n > 4 * k && n >= 1000;
    if (!this.usePoisson) return;
    let total = 0;
    for (let i = 0; i < k; i++) total += weights[i];
    const lambda = n - 3 * Math.sqrt(n);
    this.mean = new Float64Array(k);
    this.consts = new Float64Array(6 * k);
    for (let i = 0; i < k; i++) {
      const mu = (lambda * weights[i]) / total;
      this.mean[i] = mu;
      const c = 6 * i;
      if (mu < 10) {
        this.consts[c] = Math.exp(-mu);
        continue;
      }
      const smu = Math.sqrt(mu);
      const b = 0.931 + 2.53 * smu;
      const a = -0.059 + 0.02483 * b;
      const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
      const vr = 0.9277 - 3.6224 / (b - 2);
      this.consts[c] = a;
      this.consts[c + 1] = b;
      this.consts[c + 2] = vr;
      this.consts[c + 3] = Math.log(invAlpha);
      this.consts[c + 4] = Math.log(mu);
      this.consts[c + 5] = mu + 0.43;
    }
  }

  private readonly uniforms = new Uniforms();

  private poisson(rng: Uniforms, i: number): number {
    const mu = this.mean[i];
    const cs = this.consts;
    const c = 6 * i;
    if (mu < 10) {
      if (mu <= 0) return 0;
      // Inversion: the first x whose cumulative probability exceeds u.
      let x = 0;
      let prob = cs[c];
      let u = rng.next();
      while (u > prob) {
        u -= prob;
        x++;
        prob *= mu / x;
        if (prob === 0) {
          // floating-point leftover past the far tail: start over
          x = 0;
          prob = cs[c];
          u = rng.next();
        }
      }
      return x;
    }
    const a = cs[c];
    const b = cs[c + 1];
    const vr = cs[c + 2];
    for (;;) {
      const u = rng.next() - 0.5;
      const v = rng.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + cs[c + 5]);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + cs[c + 3] - Math.log(a / (us * us) + b) <= -mu + k * cs[c + 4] - logFactorial(k)) return k;
    }
  }

  /** One draw into out (length = cells). */
  sample(rng: Rng, out: Float64Array): void {
    const k = this.cells;
    const u = this.uniforms;
    u.reset(rng);
    out.fill(0, 0, k);
    if (!this.usePoisson) {
      for (let t = 0; t < this.n; t++) out[this.alias.pick(u.next())]++;
      return;
    }
    for (;;) {
      let total = 0;
      for (let i = 0; i < k; i++) {
        const x = this.poisson(u, i);
        out[i] = x;
        total += x;
      }
      if (total <= this.n) {
        for (let t = total; t < this.n; t++) out[this.alias.pick(u.next())]++;
        return;
      }
    }
  }
}
