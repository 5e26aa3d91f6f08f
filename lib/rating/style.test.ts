import { describe, expect, it } from 'vitest';
import { BattleAggregator, computeRatings, styleFeatures, styleFromConversation, styleFromConvMetadata, stripFencedCode } from './index';
import { Rng } from './random';

describe('styleFeatures', () => {
  it('counts headers, list items and bold spans outside fenced code', () => {
    const md = [
      '# Title',
      'Some **bold** text and __more bold__.',
      '## Section',
      '- one',
      '* two',
      '1. first',
      '10. tenth',
      '```python',
      '# not a header',
      '- not a list',
      '**not bold**',
      '```',
      '~~~',
      '# also code',
      '~~~',
      '###### Deep header',
      '####### seven hashes is not a header',
      '#no space is not a header',
    ].join('\n');
    const f = styleFeatures(md);
    expect(f.headers).toBe(3);
    expect(f.listItems).toBe(4);
    expect(f.bold).toBe(2);
    expect(f.tokens).toBeGreaterThan(40);
    expect(stripFencedCode(md)).not.toContain('# not a header');
    expect(stripFencedCode(md)).not.toContain('also code');
  });

  it('an unclosed fence runs to the end; plain text has no markdown', () => {
    expect(styleFeatures('text\n```\n# x\n- y').headers).toBe(0);
    expect(styleFeatures('just words here')).toEqual({ tokens: 3, headers: 0, listItems: 0, bold: 0 });
    expect(styleFeatures('')).toEqual({ tokens: 0, headers: 0, listItems: 0, bold: 0 });
  });

  it('reads conv_metadata counts (numbers or per-kind objects) and conversations', () => {
    const meta = {
      sum_assistant_a_tokens: 120,
      header_count_a: { h1: 1, h2: 2 },
      list_count_a: { ordered: 3, unordered: 1 },
      bold_count_a: { '**': 2, __: 0 },
      sum_assistant_b_tokens: 50,
      header_count_b: 0,
      list_count_b: 0,
      bold_count_b: 1,
    };
    expect(styleFromConvMetadata(meta, 'a')).toEqual({ tokens: 120, headers: 3, listItems: 4, bold: 2 });
    expect(styleFromConvMetadata(meta, 'b')).toEqual({ tokens: 50, headers: 0, listItems: 0, bold: 1 });
    expect(styleFromConvMetadata({ sum_assistant_a_tokens: 'x' }, 'a')).toBeNull();
    const conv = [
      { role: 'user', content: '# question' },
      { role: 'assistant', content: '# Answer\n- a' },
    ];
    expect(styleFromConversation(conv)).toMatchObject({ headers: 1, listItems: 1 });
  });
});

describe('style control', () => {
  // Three equally strong models; the side with the longer answer tends to win.
  function lengthBiased(n: number, seed: number): BattleAggregator {
    const rng = new Rng(seed);
    const agg = new BattleAggregator();
    const models = ['m1', 'm2', 'm3'];
    // m3 writes long answers, m1 short ones; quality is equal.
    const length = { m1: 100, m2: 300, m3: 900 } as Record<string, number>;
    for (let k = 0; k < n; k++) {
      const a = models[Math.floor(rng.nextDouble() * 3)];
      let b = models[Math.floor(rng.nextDouble() * 3)];
      while (b === a) b = models[Math.floor(rng.nextDouble() * 3)];
      const ta = Math.round(length[a] * (0.5 + rng.nextDouble()));
      const tb = Math.round(length[b] * (0.5 + rng.nextDouble()));
      const x = (ta - tb) / (ta + tb + 1);
      const pA = 1 / (1 + Math.exp(-2 * x));
      const u = rng.nextDouble();
      const winner = u < 0.15 ? 'tie' : rng.nextDouble() < pA ? 'model_a' : 'model_b';
      const feat = (t: number) => ({ tokens: t, headers: 0, listItems: 0, bold: 0 });
      agg.add(a, b, winner, { a: feat(ta), b: feat(tb) });
    }
    return agg;
  }

  it('attributes a length preference to the token coefficient, not to the models', () => {
    const agg = lengthBiased(6000, 1);
    const plain = computeRatings(agg);
    const styled = computeRatings(agg, { styleControl: true });
    const spread = (r: typeof plain) => r.models[0].rating - r.models[r.models.length - 1].rating;
    expect(plain.models[0].model).toBe('m3');
    expect(spread(plain)).toBeGreaterThan(60);
    expect(spread(styled)).toBeLessThan(spread(plain) / 3);
    expect(styled.style!.coefficients.tokens).toBeGreaterThan(0.3);
    expect(styled.style!.coefficients.headers).toBe(0); // constant covariate
    expect(styled.diagnostics).toMatchObject({ estimator: 'penalized', converged: true });
    expect(styled.diagnostics.gradientNorm).toBeLessThan(1e-9);
    const mean = styled.models.reduce((s, m) => s + m.rating, 0) / styled.models.length;
    expect(mean).toBeCloseTo(1000, 9);
  });

  it('has finite sandwich and bootstrap intervals, reproducible with the seed', () => {
    const agg = lengthBiased(1500, 2);
    const s = computeRatings(agg, { styleControl: true });
    const b1 = computeRatings(agg, { styleControl: true, bootstrap: 30, seed: 5 });
    const b2 = computeRatings(agg, { styleControl: true, bootstrap: 30, seed: 5 });
    expect(b1.models).toEqual(b2.models);
    for (const r of [s, b1]) {
      for (const m of r.models) {
        expect(Number.isFinite(m.lower) && Number.isFinite(m.upper)).toBe(true);
        expect(m.upper - m.lower).toBeGreaterThan(5);
        expect(m.upper - m.lower).toBeLessThan(200);
      }
    }
    // sandwich and bootstrap widths in the same range
    const w = (r: typeof s, k: number) => r.models[k].upper - r.models[k].lower;
    for (let k = 0; k < 3; k++) expect(w(b1, k) / w(s, k)).toBeGreaterThan(0.5);
  });

  it('degenerate style data stays finite: one battle, and battles without style', () => {
    const agg = new BattleAggregator();
    agg.add('a', 'b', 'model_a', { a: { tokens: 5, headers: 0, listItems: 0, bold: 0 }, b: { tokens: 5, headers: 0, listItems: 0, bold: 0 } });
    agg.add('a', 'c', 'model_a'); // no style: not part of the style fit
    for (const ci of ['profile', 'sandwich', 'bootstrap'] as const) {
      const r = computeRatings(agg, { styleControl: true, minStyleBattles: 1, ci });
      expect(r.models.map((m) => m.model).sort()).toEqual(['a', 'b']);
      for (const m of r.models) expect(Number.isFinite(m.rating) && Number.isFinite(m.lower) && Number.isFinite(m.upper)).toBe(true);
      if (ci === 'profile') for (const m of r.models) expect(m.upper - m.lower).toBeGreaterThan(100); // one battle: wide, never +0.0/-0.0
    }
    expect(computeRatings(new BattleAggregator(), { styleControl: true }).style!.coefficients.tokens).toBe(0);
  });

  it('with too few battles carrying style, says so instead of fitting', () => {
    const agg = lengthBiased(60, 3);
    const r = computeRatings(agg, { styleControl: true });
    expect(r.models).toEqual([]);
    expect(r.diagnostics.status.code).toBe('too-few-style-battles');
    expect(r.diagnostics.status.message).toMatch(/at least 100 battles with style features.*60 have them/);
    expect(computeRatings(agg, { styleControl: true, minStyleBattles: 50 }).diagnostics.status.code).toBe('ok');
    // the plain board of the same battles is fitted
    expect(computeRatings(agg).models).toHaveLength(3);
  });

  it('the default interval is the penalised quasi-likelihood curvature, close to the sandwich on plentiful data', () => {
    const agg = lengthBiased(6000, 4);
    const laplace = computeRatings(agg, { styleControl: true });
    const sandwich = computeRatings(agg, { styleControl: true, ci: 'sandwich' });
    expect(laplace.diagnostics.ci).toBe('laplace');
    expect(laplace.diagnostics.dispersion!.phi).toBeLessThan(1); // 15 % ties: less variable than coin tosses
    for (const m of laplace.models) {
      const s = sandwich.models.find((x) => x.model === m.model)!;
      expect((m.upper - m.lower) / (s.upper - s.lower)).toBeGreaterThan(0.85);
      expect((m.upper - m.lower) / (s.upper - s.lower)).toBeLessThan(1.15);
    }
  });
});
