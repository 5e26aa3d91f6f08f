/** Rank (UB): 1 + the number of models whose lower bound exceeds this model's upper bound. */
export function rankUpperBound(lower: ArrayLike<number>, upper: ArrayLike<number>): number[] {
  const n = lower.length;
  const sortedLower = Float64Array.from(lower).sort();
  const ranks: number[] = [];
  for (let k = 0; k < n; k++) {
    // count of lower_j > upper_k by binary search on the sorted lower bounds
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sortedLower[mid] > upper[k]) hi = mid;
      else lo = mid + 1;
    }
    ranks.push(1 + (n - lo));
  }
  return ranks;
}

/**
 * Ranks that never compare what cannot be compared and never claim confidence they lack:
 * Rank (UB) among the ranked (not provisional) models of the same connected component; a
 * provisional model gets the rank just after the last ranked model of its component (the
 * number of ranked models plus one), which places it after them without claiming that any of
 * them is better.
 */
export function rankWithinComponents(
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  component: ArrayLike<number>,
  provisional: readonly boolean[],
): number[] {
  const n = lower.length;
  const groups = new Map<number, number[]>();
  for (let k = 0; k < n; k++) {
    const c = component[k];
    let g = groups.get(c);
    if (!g) groups.set(c, (g = []));
    g.push(k);
  }
  const ranks = new Array<number>(n).fill(1);
  for (const group of groups.values()) {
    const ranked = group.filter((k) => !provisional[k]);
    const r = rankUpperBound(
      ranked.map((k) => lower[k]),
      ranked.map((k) => upper[k]),
    );
    ranked.forEach((k, a) => (ranks[k] = r[a]));
    for (const k of group) if (provisional[k]) ranks[k] = ranked.length + 1;
  }
  return ranks;
}
