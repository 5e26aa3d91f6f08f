import { describe, expect, it } from 'vitest';
import { equalPairSeparation, makeDesign, runStudy } from '../../bench/lib/calibration-study';

/**
 * A small, seeded version of bench/calibration.ts: battles drawn from known true ratings (14
 * models, two equal, uneven pairs, 30 % ties between equals), fitted, and the 95 % intervals
 * scored. The bounds leave room for the Monte Carlo error of this many repetitions (the full
 * study's figures are in the README); the sandwich at 30 battles shows the check can fail.
 */
const design = makeDesign();

describe('calibration of the default (profile) intervals', () => {
  it.each([
    [100, 150],
    [3000, 80],
  ])('N = %i battles: coverage near 95 %, never zero wide, equal models rarely separated', (n, reps) => {
    const f = runStudy(design, n, reps, 1000 + n, {});
    expect(f.coverage).toBeGreaterThan(0.93);
    expect(f.coverage).toBeLessThan(0.975);
    expect(f.worst).toBeGreaterThan(0.85);
    expect(f.zeroWidth).toBe(0);
    expect(f.equalSeparated).toBeLessThanOrEqual(0.05);
  });

  it('N = 30 (about 4 battles a model): coverage within 94-96 %, never zero wide', () => {
    // without the small-sample factor on the deviance cut (profile.ts) this was 97 %
    const f = runStudy(design, 30, 150, 1030, {});
    expect(f.coverage).toBeGreaterThan(0.94);
    expect(f.coverage).toBeLessThan(0.96);
    expect(f.worst).toBeGreaterThan(0.85);
    expect(f.zeroWidth).toBe(0);
    expect(f.equalSeparated).toBeLessThanOrEqual(0.05);
    // the same study catches an overconfident method: the sandwich at 30 battles
    const sandwich = runStudy(design, 30, 150, 1030, { ci: 'sandwich' });
    expect(sandwich.coverage).toBeLessThan(0.9);
  });

  it('two equal models after 1, 2, 3 battles between them: separated at most 5 % of the time (exact)', () => {
    for (const k of [1, 2, 3]) expect(equalPairSeparation(k, design, {})).toBeLessThanOrEqual(0.05);
    // what the issue measured on the sandwich: one battle separates them whenever it is decided
    expect(equalPairSeparation(1, design, { ci: 'sandwich' })).toBeGreaterThan(0.5);
  });
});
