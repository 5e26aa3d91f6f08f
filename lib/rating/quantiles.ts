import jstat from 'jstat';

/** Two-sided 95 % normal quantile, norm.ppf(0.975). */
export const Z_95 = 1.959963984540054;
/** χ²₁ 0.95 quantile (Z_95²): the likelihood-ratio threshold of a 95 % interval. */
export const CHI2_1_95 = Z_95 * Z_95;

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom (df may be fractional; above
 * 1e7 it is the normal quantile). Its square is the 0.95 quantile of F(1, df), the threshold of
 * a quasi-likelihood ratio whose dispersion was estimated on df degrees of freedom.
 */
export function t975(df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive, got ${df}`);
  if (df > 1e7) return Z_95;
  return jstat.jStat.studentt.inv(0.975, df);
}
