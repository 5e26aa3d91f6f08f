/**
 * Labels and axes for the leaderboard's charts, which must stay legible at 130 models: model
 * names shortened in the middle (where versions of one family differ least: "gpt-4-…-0613"), kept
 * distinct from one another, and rating axes on round numbers.
 */

/** `text` cut to at most `max` characters by replacing its middle with "…". */
export function middleEllipsis(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  if (max <= 1) return '…';
  const keep = max - 1;
  // The end usually carries the version or the date: it keeps the larger half.
  const head = Math.floor(keep / 2);
  const tail = keep - head;
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

/**
 * Short labels for `names` (in order), at most `max` characters where that keeps them distinct;
 * a label that would collide with another grows until it no longer does (or is the full name).
 */
export function distinctLabels(names: string[], max: number): string[] {
  const width = names.map(() => max);
  const labels = names.map((n) => middleEllipsis(n, max));
  for (let round = 0; round < 64; round++) {
    const seen = new Map<string, number[]>();
    labels.forEach((l, k) => seen.set(l, [...(seen.get(l) ?? []), k]));
    let changed = false;
    for (const group of seen.values()) {
      if (group.length < 2) continue;
      for (const k of group) {
        if (labels[k] === names[k]) continue;
        width[k] += 2;
        labels[k] = middleEllipsis(names[k], width[k]);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return labels;
}

/**
 * Round ticks covering [lo, hi]: about `count` of them, a step of 1, 2, 2.5 or 5 times a power of
 * ten, and the domain widened to whole steps.
 */
export function niceTicks(lo: number, hi: number, count = 6): { domain: [number, number]; ticks: number[] } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { domain: [0, 1], ticks: [0, 1] };
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  const raw = (hi - lo) / Math.max(1, count - 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => s >= raw) ?? 10 * power;
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step / 2; v += step) ticks.push(Math.round(v / step) * step);
  return { domain: [start, end], ticks };
}
