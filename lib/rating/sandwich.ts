import { btHessian, type BtData } from './bradley-terry';
import { cholesky, choleskyInverse } from './linalg';
import type { PairTable } from './pair-table';
import { centreRows, uniformWeights } from './centring';

export { Z_95 } from './quantiles';

/**
 * Variances of the centred Bradley-Terry parameters (natural units) by the robust sandwich
 * H⁻¹ J H⁻¹, as LMArena's current code: H is the Fisher information Σ w·n·q(1 − q)·x xᵀ and J
 * the empirical covariance of the per-battle scores Σ w²·(y − q)²·x xᵀ (x = e_i − e_j, y the
 * battle's score 1, 0 or ½), so ties — which the Bernoulli model does not describe — are
 * accounted for. LMArena inverts H + 1e-5·N·I; here H is inverted on the sum-zero subspace
 * (the gauge of the ratings) exactly, and the result is projected onto ratings centred on
 * `reference` (centring.ts).
 */
export function btSandwichVariance(t: PairTable, d: BtData, theta: Float64Array, prior: boolean, reference = uniformWeights(t.m)): Float64Array {
  const m = t.m;
  const variance = new Float64Array(m);
  if (m <= 1) return variance;
  const h = new Float64Array(m * m);
  btHessian(d, theta, prior, h);
  if (!cholesky(h, m)) return variance.fill(NaN);
  const a = choleskyInverse(h, m);
  centreRows(a, reference, m);
  for (let p = 0; p < t.size; p++) {
    const i = t.i[p];
    const j = t.j[p];
    const q = 1 / (1 + Math.exp(-(theta[i] - theta[j])));
    const w = t.weight[p];
    const jp = w * w * (t.winI[p] * (1 - q) * (1 - q) + t.winJ[p] * q * q + t.ties[p] * (0.5 - q) * (0.5 - q));
    if (jp === 0) continue;
    for (let k = 0; k < m; k++) {
      const diff = a[k * m + i] - a[k * m + j];
      variance[k] += jp * diff * diff;
    }
  }
  return variance;
}
