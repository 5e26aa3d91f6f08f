/**
 * Independent implementations of the agreement statistics, written another way than
 * lib/study/agreement.ts, for the tests to hold the real ones against.
 */

/** Independent: alpha = 1 - D_o / D_e from disagreeing pairs, without a coincidence matrix. */
export function alphaFromPairs(units: string[][]): number {
  const pairable = units.filter((u) => u.length >= 2);
  const values = pairable.flat();
  const n = values.length;
  let within = 0;
  for (const u of pairable) {
    let d = 0;
    for (let i = 0; i < u.length; i++) for (let j = 0; j < u.length; j++) if (i !== j && u[i] !== u[j]) d++;
    within += d / (u.length - 1);
  }
  let all = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j && values[i] !== values[j]) all++;
  return 1 - within / n / (all / (n * (n - 1)));
}

/** Independent: Fleiss' kappa from squared counts per unit, P_i = (sum n_ij^2 - n_i) / (n_i (n_i - 1)). */
export function fleissFromSquares(units: string[][]): number {
  const used = units.filter((u) => u.length >= 2);
  const cats = [...new Set(used.flat())];
  let pBar = 0;
  const share = new Map<string, number>();
  const total = used.reduce((s, u) => s + u.length, 0);
  for (const u of used) {
    const sq = cats.reduce((s, c) => s + u.filter((v) => v === c).length ** 2, 0);
    pBar += (sq - u.length) / (u.length * (u.length - 1));
    for (const v of u) share.set(v, (share.get(v) ?? 0) + 1 / total);
  }
  pBar /= used.length;
  const pE = [...share.values()].reduce((s, p) => s + p * p, 0);
  return (pBar - pE) / (1 - pE);
}

/** Independent: Cohen's kappa = (N sum n_kk - sum r_k c_k) / (N^2 - sum r_k c_k). */
export function cohenFromMatrix(pairs: [string, string][]): number {
  const cats = [...new Set(pairs.flat())];
  const n = pairs.length;
  const diag = pairs.filter(([x, y]) => x === y).length;
  const rc = cats.reduce((s, c) => s + pairs.filter(([x]) => x === c).length * pairs.filter(([, y]) => y === c).length, 0);
  return (n * diag - rc) / (n * n - rc);
}

