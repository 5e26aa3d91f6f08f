import { Rng } from '../rating/random';
import type { DesignSpec } from './definition';

/**
 * The design of a study: which item is judged on which pair of models (the cells), how many
 * times (the replicates of a cell, each a slot), with which model on the left, and in what order
 * slots are handed out. Pure and seeded: the same definition always gives the same design.
 *
 * - Pairs come in round-robin order (the circle method), so consecutive pairs share no model
 *   where that is possible; an item of a balanced incomplete design gets `pairsPerItem`
 *   consecutive pairs of that cycle (starting at a round), so every pair is used equally often
 *   within one, and models nearly so (exactly when the pairs used fill whole rounds).
 * - Sides alternate over the slots of each pair (cell by cell, replicate by replicate), so every
 *   ordered pair occurs equally often within one, also inside each cell. Where a pair has an odd
 *   number of slots, which model gets the extra left side is chosen along Euler circuits of
 *   those pairs, so that every model is on the left as often as on the right, within one.
 * - Order: all first replicates, then all second ones, and so on, each round in a seeded random
 *   order, so coverage grows evenly and no participant sees the items in file order.
 */

export interface DesignCell {
  item: number;
  /** Model indices, x < y. */
  x: number;
  y: number;
}

export interface DesignSlot {
  cell: number;
  replicate: number;
  /** Model index on the left (a) and on the right (b). */
  a: number;
  b: number;
  /** Hand-out order, 0 first. */
  position: number;
}

export interface Design {
  models: number;
  items: number;
  pairs: [number, number][];
  cells: DesignCell[];
  slots: DesignSlot[];
}

/** The pairs of `k` models in round-robin order: each round of ⌊k/2⌋ pairs uses every model at most once. */
export function roundRobinPairs(k: number, order: number[] = [...Array(k).keys()]): [number, number][] {
  const ring = [...order];
  if (k % 2 === 1) ring.push(-1);
  const m = ring.length;
  const out: [number, number][] = [];
  for (let round = 0; round < m - 1; round++) {
    for (let i = 0; i < m / 2; i++) {
      const p = ring[i];
      const q = ring[m - 1 - i];
      if (p >= 0 && q >= 0) out.push(p < q ? [p, q] : [q, p]);
    }
    // Keep the first seat, rotate the others by one.
    ring.splice(1, 0, ring.pop()!);
  }
  return out;
}

export function shuffle<T>(list: T[], rng: Rng): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rng.nextDouble() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/**
 * For each edge (x, y), whether x gets the surplus (true) or y does, so that every vertex's
 * surplus count minus deficit count is -1, 0 or 1: the edges are walked along Euler circuits of
 * the graph with one extra vertex joined to every vertex of odd degree.
 */
export function balancedOrientation(vertices: number, edges: [number, number][]): boolean[] {
  const extra = vertices;
  const all: [number, number][] = [...edges];
  const degree = new Array<number>(vertices).fill(0);
  for (const [x, y] of edges) {
    degree[x]++;
    degree[y]++;
  }
  for (let v = 0; v < vertices; v++) if (degree[v] % 2 === 1) all.push([v, extra]);
  const adjacency: number[][] = Array.from({ length: vertices + 1 }, () => []);
  all.forEach(([x, y], e) => {
    adjacency[x].push(e);
    adjacency[y].push(e);
  });
  const used = new Uint8Array(all.length);
  const from = new Int32Array(all.length).fill(-1);
  const next = new Int32Array(vertices + 1);
  for (let start = 0; start <= vertices; start++) {
    // Hierholzer's walk; each edge is oriented the way it is first traversed.
    const stack = [start];
    while (stack.length) {
      const v = stack[stack.length - 1];
      let moved = false;
      while (next[v] < adjacency[v].length) {
        const e = adjacency[v][next[v]++];
        if (used[e]) continue;
        used[e] = 1;
        from[e] = v;
        const [x, y] = all[e];
        stack.push(x === v ? y : x);
        moved = true;
        break;
      }
      if (!moved) stack.pop();
    }
  }
  return edges.map(([x], e) => from[e] === x);
}

export function buildDesign(params: { items: number; models: number; design: DesignSpec; judgmentsPerPair: number; seed: number }): Design {
  const { items, models: k, design, judgmentsPerPair: replicates } = params;
  if (k < 2) throw new Error('a design needs at least two models');
  if (items < 1) throw new Error('a design needs at least one item');
  const rng = new Rng(params.seed, 0x5d);
  const pairs = roundRobinPairs(k, shuffle([...Array(k).keys()], rng));
  const perItem = design.kind === 'all-pairs' ? pairs.length : design.pairsPerItem;
  if (perItem > pairs.length) throw new Error(`pairsPerItem is ${perItem}, but ${k} models make only ${pairs.length} pairs`);
  const round = Math.floor(k / 2);
  const offset = round * Math.floor(rng.nextDouble() * (pairs.length / round));

  const cells: DesignCell[] = [];
  const cellPair: number[] = [];
  for (let item = 0; item < items; item++) {
    for (let j = 0; j < perItem; j++) {
      const p = design.kind === 'all-pairs' ? j : (offset + item * perItem + j) % pairs.length;
      cells.push({ item, x: pairs[p][0], y: pairs[p][1] });
      cellPair.push(p);
    }
  }

  // Slots of each pair in (cell, replicate) order; sides alternate along them.
  const slotsOfPair: number[] = new Array(pairs.length).fill(0);
  for (const p of cellPair) slotsOfPair[p] += replicates;
  const oddPairs = pairs.map((_, p) => p).filter((p) => slotsOfPair[p] % 2 === 1);
  const xGetsExtra = balancedOrientation(
    k,
    oddPairs.map((p) => pairs[p]),
  );
  const startWithX = new Array<boolean>(pairs.length).fill(true);
  oddPairs.forEach((p, e) => (startWithX[p] = xGetsExtra[e]));

  const seen = new Array<number>(pairs.length).fill(0);
  const slots: DesignSlot[] = [];
  cells.forEach((cell, c) => {
    const p = cellPair[c];
    for (let r = 0; r < replicates; r++) {
      const t = seen[p]++;
      const xLeft = (t % 2 === 0) === startWithX[p];
      slots.push({ cell: c, replicate: r, a: xLeft ? cell.x : cell.y, b: xLeft ? cell.y : cell.x, position: -1 });
    }
  });

  // Hand-out order: replicate by replicate, each round shuffled.
  let position = 0;
  for (let r = 0; r < replicates; r++) {
    const round = shuffle(
      slots.filter((s) => s.replicate === r),
      rng,
    );
    for (const s of round) s.position = position++;
  }
  slots.sort((s, t) => s.position - t.position);
  return { models: k, items, pairs, cells, slots };
}

/** How even a design is: counts per pair, per ordered pair, per model side, per item. */
export interface DesignBalance {
  cells: number;
  slots: number;
  perPair: { min: number; max: number };
  /** |left − right| per pair, at most. */
  pairSideGap: number;
  /** Per model: times on the left and on the right. */
  modelSides: { left: number; right: number }[];
  perModel: { min: number; max: number };
  perItem: { min: number; max: number };
}

export function designBalance(design: Design): DesignBalance {
  const key = (x: number, y: number) => x * design.models + y;
  const unordered = new Map<number, number>();
  const ordered = new Map<number, number>();
  const modelSides = Array.from({ length: design.models }, () => ({ left: 0, right: 0 }));
  const perItem = new Array<number>(design.items).fill(0);
  for (const s of design.slots) {
    const x = Math.min(s.a, s.b);
    const y = Math.max(s.a, s.b);
    unordered.set(key(x, y), (unordered.get(key(x, y)) ?? 0) + 1);
    ordered.set(key(s.a, s.b), (ordered.get(key(s.a, s.b)) ?? 0) + 1);
    modelSides[s.a].left++;
    modelSides[s.b].right++;
    perItem[design.cells[s.cell].item]++;
  }
  const pairCounts = design.pairs.map(([x, y]) => unordered.get(key(x, y)) ?? 0);
  const gaps = design.pairs.map(([x, y]) => Math.abs((ordered.get(key(x, y)) ?? 0) - (ordered.get(key(y, x)) ?? 0)));
  const perModel = modelSides.map((m) => m.left + m.right);
  return {
    cells: design.cells.length,
    slots: design.slots.length,
    perPair: { min: Math.min(...pairCounts), max: Math.max(...pairCounts) },
    pairSideGap: Math.max(0, ...gaps),
    modelSides,
    perModel: { min: Math.min(...perModel), max: Math.max(...perModel) },
    perItem: { min: Math.min(...perItem), max: Math.max(...perItem) },
  };
}
