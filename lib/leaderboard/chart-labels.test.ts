import { describe, expect, it } from 'vitest';
import { distinctLabels, middleEllipsis, niceTicks } from './chart-labels';

describe('middleEllipsis', () => {
  it('keeps short names and cuts long ones in the middle', () => {
    expect(middleEllipsis('gpt-4', 10)).toBe('gpt-4');
    expect(middleEllipsis('gpt-4-turbo-2024-04-09', 12)).toBe('gpt-4…-04-09');
    expect([...middleEllipsis('claude-3-5-sonnet-20240620', 9)]).toHaveLength(9);
    expect(middleEllipsis('日本語のモデル名です', 5)).toBe('日本…です');
  });
});

describe('distinctLabels', () => {
  it('gives colliding names longer labels until they differ', () => {
    const names = ['gpt-4-0125-preview', 'gpt-4-1106-preview', 'gpt-4-0314', 'llama-3-70b-instruct'];
    const labels = distinctLabels(names, 8);
    expect(new Set(labels).size).toBe(names.length);
    // A name that collides with no other keeps the short label.
    expect(labels[2]).toBe(middleEllipsis('gpt-4-0314', 8));
    expect(labels[0].length).toBeGreaterThan(8);
  });

  it('stays distinct for 130 names that share long prefixes and suffixes', () => {
    const names = Array.from({ length: 130 }, (_, k) => `model-family-${k % 7}-variant-${String(k).padStart(3, '0')}-chat`);
    expect(new Set(distinctLabels(names, 18)).size).toBe(130);
  });
});

describe('niceTicks', () => {
  it('puts ticks on round numbers that cover the range', () => {
    expect(niceTicks(873.4, 1261.9)).toEqual({ domain: [800, 1300], ticks: [800, 900, 1000, 1100, 1200, 1300] });
    expect(niceTicks(981, 1019).ticks).toEqual([980, 990, 1000, 1010, 1020]);
    const { domain, ticks } = niceTicks(873.4, 1261.9);
    expect(domain[0]).toBeLessThanOrEqual(873.4);
    expect(domain[1]).toBeGreaterThanOrEqual(1261.9);
    const step = ticks[1] - ticks[0];
    for (const t of ticks) expect(t % step).toBe(0);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.length).toBeLessThanOrEqual(12);
  });

  it('handles a flat range', () => {
    const { domain, ticks } = niceTicks(1000, 1000);
    expect(domain[0]).toBeLessThan(1000);
    expect(domain[1]).toBeGreaterThan(1000);
    expect(ticks).toContain(1000);
  });
});
