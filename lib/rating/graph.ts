/**
 * The comparison graph: models are nodes, a pair that met at least once is an edge. One search
 * serves both questions the engine asks of it — which models can be compared at all (connected
 * components) and whether the maximum-likelihood estimate exists (strong connectivity of the
 * "scored against" graph) — over one adjacency list.
 */
export class ComparisonGraph {
  readonly m: number;
  /** CSR adjacency: neighbours of v are adjNode[adjStart[v] .. adjStart[v + 1]). */
  readonly adjStart: Int32Array;
  readonly adjNode: Int32Array;
  /** Pair index of each adjacency entry: p when v is the pair's i side, −p − 1 on its j side. */
  readonly adjPair: Int32Array;
  private readonly seen: Uint8Array;
  private readonly stack: Int32Array;

  /** Pairs (i[p], j[p]) for p < size; pairs with `active(p)` false are left out. */
  constructor(m: number, size: number, i: Int32Array, j: Int32Array, active: (p: number) => boolean = () => true) {
    this.m = m;
    const deg = new Int32Array(m + 1);
    for (let p = 0; p < size; p++) {
      if (!active(p)) continue;
      deg[i[p] + 1]++;
      deg[j[p] + 1]++;
    }
    for (let k = 0; k < m; k++) deg[k + 1] += deg[k];
    this.adjStart = deg;
    this.adjNode = new Int32Array(deg[m]);
    this.adjPair = new Int32Array(deg[m]);
    const fill = deg.slice(0, m);
    for (let p = 0; p < size; p++) {
      if (!active(p)) continue;
      this.adjNode[fill[i[p]]] = j[p];
      this.adjPair[fill[i[p]]++] = p;
      this.adjNode[fill[j[p]]] = i[p];
      this.adjPair[fill[j[p]]++] = -p - 1;
    }
    this.seen = new Uint8Array(m);
    this.stack = new Int32Array(Math.max(1, m));
  }

  /**
   * Connected components. ids[v] is v's component; components are numbered by size (most models
   * first), then by `weight` (e.g. battles, most first), then by their smallest node — so with
   * nodes in name order, the numbering depends only on the data.
   */
  components(weight?: (component: number[]) => number): { ids: Int32Array; members: number[][] } {
    const m = this.m;
    const raw = new Int32Array(m).fill(-1);
    const groups: number[][] = [];
    for (let s = 0; s < m; s++) {
      if (raw[s] >= 0) continue;
      const group: number[] = [];
      const c = groups.length;
      let top = 0;
      this.stack[top++] = s;
      raw[s] = c;
      while (top > 0) {
        const v = this.stack[--top];
        group.push(v);
        for (let e = this.adjStart[v]; e < this.adjStart[v + 1]; e++) {
          const w = this.adjNode[e];
          if (raw[w] < 0) {
            raw[w] = c;
            this.stack[top++] = w;
          }
        }
      }
      group.sort((x, y) => x - y);
      groups.push(group);
    }
    const w = groups.map((g) => (weight ? weight(g) : 0));
    const order = groups.map((_, c) => c).sort((x, y) => groups[y].length - groups[x].length || w[y] - w[x] || groups[x][0] - groups[y][0]);
    const renumber = new Int32Array(groups.length);
    order.forEach((c, k) => (renumber[c] = k));
    const ids = new Int32Array(m);
    for (let v = 0; v < m; v++) ids[v] = renumber[raw[v]];
    return { ids, members: order.map((c) => groups[c]) };
  }

  /**
   * True when every node reaches every other along edges that `scored(p, fromI)` allows: edge
   * v → w of pair p exists when v scored against w (fromI: v is the pair's i side).
   */
  stronglyConnected(scored: (p: number, fromI: boolean) => boolean): boolean {
    if (this.m <= 1) return this.m === 1;
    return this.reachesAll(scored, true) && this.reachesAll(scored, false);
  }

  private reachesAll(scored: (p: number, fromI: boolean) => boolean, forward: boolean): boolean {
    const { seen, stack, adjStart, adjNode, adjPair } = this;
    seen.fill(0);
    let top = 0;
    stack[top++] = 0;
    seen[0] = 1;
    let count = 1;
    while (top > 0) {
      const v = stack[--top];
      for (let e = adjStart[v]; e < adjStart[v + 1]; e++) {
        const w = adjNode[e];
        if (seen[w]) continue;
        const code = adjPair[e];
        const p = code >= 0 ? code : -code - 1;
        // forward: v scored against w; backward: w scored against v
        const ok = forward ? scored(p, code >= 0) : scored(p, code < 0);
        if (!ok) continue;
        seen[w] = 1;
        count++;
        stack[top++] = w;
      }
    }
    return count === this.m;
  }
}
