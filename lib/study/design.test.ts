import { describe, expect, it } from 'vitest';
import { balancedOrientation, buildDesign, designBalance, roundRobinPairs } from './design';

describe('round-robin pairs', () => {
  it('lists every pair once, each round without a repeated model', () => {
    for (const k of [2, 3, 4, 5, 7, 8]) {
      const pairs = roundRobinPairs(k);
      expect(pairs).toHaveLength((k * (k - 1)) / 2);
      expect(new Set(pairs.map(([x, y]) => `${x}-${y}`)).size).toBe(pairs.length);
      const per = Math.floor(k / 2);
      for (let r = 0; r + per <= pairs.length; r += per) {
        const used = pairs.slice(r, r + per).flat();
        expect(new Set(used).size).toBe(used.length);
      }
    }
  });
});

describe('balanced orientation', () => {
  it('gives every vertex a surplus between -1 and 1', () => {
    const edges: [number, number][] = [];
    for (let x = 0; x < 7; x++) for (let y = x + 1; y < 7; y++) if ((x * 3 + y) % 4 !== 0) edges.push([x, y]);
    const toX = balancedOrientation(7, edges);
    const surplus = new Array(7).fill(0);
    edges.forEach(([x, y], e) => {
      surplus[toX[e] ? x : y]++;
      surplus[toX[e] ? y : x]--;
    });
    for (const s of surplus) expect(Math.abs(s)).toBeLessThanOrEqual(1);
  });
});

describe('study designs', () => {
  const cases = [
    { items: 10, models: 3, design: { kind: 'all-pairs' as const }, j: 3 },
    { items: 7, models: 4, design: { kind: 'all-pairs' as const }, j: 1 },
    { items: 80, models: 7, design: { kind: 'balanced-incomplete' as const, pairsPerItem: 3 }, j: 3 },
    { items: 13, models: 6, design: { kind: 'balanced-incomplete' as const, pairsPerItem: 2 }, j: 2 },
    { items: 5, models: 5, design: { kind: 'balanced-incomplete' as const, pairsPerItem: 1 }, j: 5 },
    { items: 9, models: 4, design: { kind: 'balanced-incomplete' as const, pairsPerItem: 3 }, j: 1 },
  ];
  for (const c of cases) {
    it(`${c.design.kind}, ${c.items} items, ${c.models} models, ${c.j} per pair: every pair and side equally often within one`, () => {
      const d = buildDesign({ items: c.items, models: c.models, design: c.design, judgmentsPerPair: c.j, seed: 7 });
      const perItem = c.design.kind === 'all-pairs' ? (c.models * (c.models - 1)) / 2 : c.design.pairsPerItem;
      expect(d.cells).toHaveLength(c.items * perItem);
      expect(d.slots).toHaveLength(c.items * perItem * c.j);
      const b = designBalance(d);
      expect(b.perPair.max - b.perPair.min).toBeLessThanOrEqual(c.design.kind === 'all-pairs' ? 0 : c.j);
      // Pairs are balanced per cell, so across cells a pair's count differs by at most one cell's replicates.
      const cellsPerPair = new Map<string, number>();
      for (const cell of d.cells) cellsPerPair.set(`${cell.x}-${cell.y}`, (cellsPerPair.get(`${cell.x}-${cell.y}`) ?? 0) + 1);
      const counts = [...cellsPerPair.values()];
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      const allPairs = (c.models * (c.models - 1)) / 2;
      expect(cellsPerPair.size).toBe(Math.min(allPairs, c.items * perItem));
      expect(b.pairSideGap).toBeLessThanOrEqual(1);
      for (const m of b.modelSides) expect(Math.abs(m.left - m.right)).toBeLessThanOrEqual(1);
      // Within a cell, sides alternate too.
      const cellSides = new Map<number, number>();
      for (const s of d.slots) cellSides.set(s.cell, (cellSides.get(s.cell) ?? 0) + (s.a === d.cells[s.cell].x ? 1 : -1));
      for (const v of cellSides.values()) expect(Math.abs(v)).toBeLessThanOrEqual(1);
      // No item judged twice on one pair; positions are a permutation, replicate by replicate.
      expect(new Set(d.cells.map((cell) => `${cell.item}:${cell.x}-${cell.y}`)).size).toBe(d.cells.length);
      expect(d.slots.map((s) => s.position)).toEqual([...d.slots.keys()]);
      for (let i = 1; i < d.slots.length; i++) expect(d.slots[i].replicate).toBeGreaterThanOrEqual(d.slots[i - 1].replicate);
    });
  }

  it('is the same for the same seed and differs for another', () => {
    const spec = { items: 20, models: 5, design: { kind: 'balanced-incomplete' as const, pairsPerItem: 2 }, judgmentsPerPair: 2 };
    expect(buildDesign({ ...spec, seed: 3 })).toEqual(buildDesign({ ...spec, seed: 3 }));
    expect(buildDesign({ ...spec, seed: 3 }).slots).not.toEqual(buildDesign({ ...spec, seed: 4 }).slots);
  });

  it('refuses more pairs per item than there are pairs', () => {
    expect(() => buildDesign({ items: 3, models: 3, design: { kind: 'balanced-incomplete', pairsPerItem: 4 }, judgmentsPerPair: 1, seed: 1 })).toThrow(/only 3 pairs/);
  });
});
