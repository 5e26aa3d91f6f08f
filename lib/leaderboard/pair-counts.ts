import { countIdentityVotes, influenceWeigher, type InfluenceCaps } from '../integrity/influence';
import { BattleAggregator, ELO_START, eloStep, type OutcomeCode } from '../rating';
import { categoriesOf, type BattleFacts, type CategoryId } from './categories';

/**
 * The sufficient statistics of the boards' Bradley-Terry fits, kept as votes arrive: for every
 * category, the counted votes per ordered model pair and outcome. A board fitted from them is the
 * board a full pass over every battle would fit (lib/leaderboard/compute-snapshots.ts), at a cost
 * of O(pairs) instead of O(votes).
 *
 * What else a plain board needs is kept beside the counts, because it too can be carried forward
 * vote by vote: online Elo per category (votes are folded in vote-time order, as the full pass
 * takes them), each model's first timed vote (the "new" mark), and the untimed imported battles per
 * category. What needs the battles themselves (style control, the rating history, the trust pass)
 * is left to the full pass.
 *
 * Bounded influence. A vote of identity i on models a and b weighs w = f(n_i, n_ia, n_ib)
 * (lib/integrity/influence.ts): one more vote of i changes the weight of every earlier vote of i,
 * and of nobody else. So the counts are kept twice: over all votes (`cells`, integers) and per
 * identity that voted here (`identityCells`, with the weight each cell carries: its votes times
 * i's current w(a, b)). When a fold touches an identity, its weights are recomputed from its own
 * counts; an identity under both caps weighs exactly its votes. The weighted count of a cell is
 * then its votes plus, over the capped identities, (weight - votes): exact for the votes folded in,
 * with no drift, since every identity's weights are recomputed from integers, never accumulated.
 *
 * Changes to votes already counted (an exclusion, a restore, a removed import or battle) bump
 * `ratings.input`'s version, a change of the caps or a vote older than the newest one folded (an
 * import of past battles) breaks the time order: each makes the next fold start again from nothing.
 */

/** One counted vote as the fold takes it. */
export interface CountedVote {
  modelA: string;
  modelB: string;
  outcome: OutcomeCode;
  /** The battle's facts (its categories follow from them and its source). */
  facts: BattleFacts;
  imported: boolean;
  /** `user:<id>` / `voter:<id>` for a battle fought here; null for an imported one. */
  identity: string | null;
  /** Vote time (unix ms). */
  voteAt: number;
  /** An imported battle without a tstamp (it carries its import's time). */
  untimed: boolean;
}

/** What has been folded in, and under which rules (stored as JSON with the counts). */
export interface PairCountCursor {
  /** Every counted vote with an id up to this one is in the counts. */
  voteId: number;
  /** ratings.input's version when the counts were started from nothing. */
  version: number;
  /** Vote time of the newest vote folded in (a vote older than this forces a rebuild). */
  lastVoteAt: number;
  caps: InfluenceCaps;
  /** Untimed imported battles per category. */
  untimed: Record<CategoryId, number>;
}

export function emptyCursor(version: number, caps: InfluenceCaps): PairCountCursor {
  return { voteId: 0, version, lastVoteAt: Number.NEGATIVE_INFINITY, caps, untimed: {} };
}

const SEP = '\u0000';
/** Key of an ordered pair within a category. */
export const pairKey = (a: string, b: string) => `${a}${SEP}${b}`;
/** Key of an ordered pair in a category (an identity's cells span categories). */
export const cellKey = (category: string, a: string, b: string) => `${category}${SEP}${a}${SEP}${b}`;
export const splitKey = (key: string) => key.split(SEP);

/** Votes per outcome (index = outcome code). */
export type Counts4 = [number, number, number, number];
const zero4 = (): Counts4 => [0, 0, 0, 0];

export interface IdentityCell {
  votes: Counts4;
  weight: Counts4;
}

/** One category's counts, and what changed in them since they were loaded. */
export interface CategoryCounts {
  /** pairKey(a, b) -> votes per outcome. */
  cells: Map<string, Counts4>;
  /** model -> Elo and first vote. */
  models: Map<string, ModelState>;
  dirtyCells: Set<string>;
  dirtyModels: Set<string>;
}

function modelIn(cc: CategoryCounts, name: string): ModelState {
  let m = cc.models.get(name);
  if (!m) cc.models.set(name, (m = { elo: ELO_START, firstVoteAt: null }));
  return m;
}

export interface ModelState {
  elo: number;
  /** Only kept on the overall category (first timed vote on any board). */
  firstVoteAt: number | null;
}

/** Every category of a vote: its facts' categories and its source. */
export function voteCategories(v: Pick<CountedVote, 'facts' | 'imported'>): CategoryId[] {
  const cats = categoriesOf(v.facts);
  // A battle that was not anonymous counts on its own board only, as in the full pass.
  if (v.facts.named) return cats;
  cats.push(v.imported ? 'source:import' : 'source:arena');
  return cats;
}

/**
 * The counts in memory: loaded from the store (db/queries/pair-counts.ts), folded forward, written
 * back (only what changed). Pure: no database here, so a test can fold and recount at will.
 */
export class PairCountState {
  cursor: PairCountCursor;
  readonly categories = new Map<CategoryId, CategoryCounts>();
  /**
   * Identities whose cells are loaded: every identity a fold touched, and (weight rows only) the
   * capped ones, which the fit needs. identity -> cellKey -> votes and weight.
   */
  readonly identityCells = new Map<string, Map<string, IdentityCell>>();
  /** Identities whose cells changed since loading (written back with the categories' dirty cells and models). */
  readonly dirtyIdentities = new Set<string>();
  /** Categories a fold added votes to since the last clearDirty. */
  readonly touched = new Set<CategoryId>();
  /** Whether the whole store is to be replaced (a rebuild). */
  rebuilt = false;

  constructor(cursor: PairCountCursor) {
    this.cursor = cursor;
  }

  /** Starts again from nothing (the caller then folds every counted vote). */
  static rebuild(version: number, caps: InfluenceCaps): PairCountState {
    const s = new PairCountState(emptyCursor(version, caps));
    s.rebuilt = true;
    return s;
  }

  /**
   * Folds counted votes in, in vote-time order (ties by id), all newer than the cursor. Returns
   * false, changing nothing, when one of them is older than the newest vote already folded: the
   * caller must rebuild (online Elo and the first votes follow vote time).
   */
  fold(votes: readonly CountedVote[], upToVoteId: number): boolean {
    const c = this.cursor;
    let last = c.lastVoteAt;
    for (const v of votes) {
      if (v.voteAt < last) return false;
      last = v.voteAt;
    }
    // A rebuild writes everything: no need to track what changed.
    const track = !this.rebuilt;
    const touched = new Set<string>();
    for (const v of votes) {
      if (!v.modelA || !v.modelB || v.modelA === v.modelB) continue;
      const key = pairKey(v.modelA, v.modelB);
      const score = v.outcome === 0 ? 1 : v.outcome === 1 ? 0 : 0.5;
      for (const cat of voteCategories(v)) {
        const cc = this.category(cat);
        this.touched.add(cat);
        let counts = cc.cells.get(key);
        if (!counts) cc.cells.set(key, (counts = zero4()));
        counts[v.outcome]++;
        // Online Elo, as BattleAggregator runs it.
        const ma = modelIn(cc, v.modelA);
        const mb = modelIn(cc, v.modelB);
        const delta = eloStep(ma.elo, mb.elo, score);
        ma.elo += delta;
        mb.elo -= delta;
        if (track) {
          cc.dirtyCells.add(key);
          cc.dirtyModels.add(v.modelA);
          cc.dirtyModels.add(v.modelB);
        }
        if (v.untimed) c.untimed[cat] = (c.untimed[cat] ?? 0) + 1;
        else if (cat === 'overall') {
          ma.firstVoteAt ??= v.voteAt;
          mb.firstVoteAt ??= v.voteAt;
        }
        if (v.identity) {
          let cells = this.identityCells.get(v.identity);
          if (!cells) this.identityCells.set(v.identity, (cells = new Map()));
          const ck = cellKey(cat, v.modelA, v.modelB);
          let cell = cells.get(ck);
          if (!cell) cells.set(ck, (cell = { votes: zero4(), weight: zero4() }));
          cell.votes[v.outcome]++;
          touched.add(v.identity);
        }
      }
    }
    for (const identity of touched) this.reweigh(identity);
    c.voteId = Math.max(c.voteId, upToVoteId);
    c.lastVoteAt = last;
    return true;
  }

  /** The counts of one category (created empty). */
  category(cat: CategoryId): CategoryCounts {
    let cc = this.categories.get(cat);
    if (!cc) this.categories.set(cat, (cc = { cells: new Map(), models: new Map(), dirtyCells: new Set(), dirtyModels: new Set() }));
    return cc;
  }

  /** Forgets what changed (after it was written). */
  clearDirty(): void {
    for (const cc of this.categories.values()) {
      cc.dirtyCells.clear();
      cc.dirtyModels.clear();
    }
    this.dirtyIdentities.clear();
    this.touched.clear();
    this.rebuilt = false;
  }

  /**
   * Identities with votes in a fold: the state must hold all their cells before folding (the
   * store loads them), since their weights are recomputed from their whole counts.
   */
  static identitiesOf(votes: readonly CountedVote[]): string[] {
    return [...new Set(votes.map((v) => v.identity).filter((i): i is string => i !== null))];
  }

  /** Recomputes an identity's weights from its counts (its votes on the overall board are n_i and n_{i,k}). */
  private reweigh(identity: string): void {
    const cells = this.identityCells.get(identity)!;
    const rows: { identity: string; modelA: string; modelB: string }[] = [];
    const overall = `overall${SEP}`;
    for (const [ck, cell] of cells) {
      if (!ck.startsWith(overall)) continue;
      const [, a, b] = splitKey(ck);
      const n = cell.votes[0] + cell.votes[1] + cell.votes[2] + cell.votes[3];
      for (let k = 0; k < n; k++) rows.push({ identity, modelA: a, modelB: b });
    }
    const weigh = influenceWeigher(countIdentityVotes(rows), this.cursor.caps);
    for (const [ck, cell] of cells) {
      const [cat, a, b] = splitKey(ck);
      const w = weigh(identity, a, b);
      for (let o = 0; o < 4; o++) {
        const weight = w === 1 ? cell.votes[o] : cell.votes[o] * w;
        // One more vote of a capped identity reweighs its votes on every board it voted on.
        if (weight !== cell.weight[o]) this.touched.add(cat);
        cell.weight[o] = weight;
      }
    }
    this.dirtyIdentities.add(identity);
  }

  /** Counted battles of each category. */
  battlesByCategory(): Map<CategoryId, number> {
    const out = new Map<CategoryId, number>();
    for (const [cat, cc] of this.categories) {
      let n = 0;
      for (const c of cc.cells.values()) n += c[0] + c[1] + c[2] + c[3];
      out.set(cat, n);
    }
    return out;
  }

  /**
   * The category's counts as the rating engine takes them: per ordered pair and outcome, the votes
   * and their weight, with online Elo as folded. Cells in a fixed order, so the same counts give
   * the same aggregator whatever order they were loaded in.
   */
  aggregator(category: CategoryId): BattleAggregator {
    const agg = new BattleAggregator();
    const cc = this.categories.get(category);
    if (!cc) return agg;
    const byPair = cc.cells;
    const adjust = new Map<string, Counts4>();
    const prefix = `${category}${SEP}`;
    for (const identity of [...this.identityCells.keys()].sort()) {
      for (const [ck, cell] of this.identityCells.get(identity)!) {
        if (!ck.startsWith(prefix)) continue;
        let differs = false;
        for (let o = 0; o < 4; o++) if (cell.weight[o] !== cell.votes[o]) differs = true;
        if (!differs) continue;
        const key = ck.slice(prefix.length);
        let d = adjust.get(key);
        if (!d) adjust.set(key, (d = zero4()));
        for (let o = 0; o < 4; o++) d[o] += cell.weight[o] - cell.votes[o];
      }
    }
    for (const key of [...byPair.keys()].sort()) {
      const counts = byPair.get(key)!;
      const [a, b] = splitKey(key);
      const ia = agg.modelId(a);
      const ib = agg.modelId(b);
      const d = adjust.get(key);
      for (let o = 0; o < 4; o++) {
        if (counts[o] > 0) agg.addTally(ia, ib, o as OutcomeCode, counts[o], d ? counts[o] + d[o] : counts[o]);
      }
    }
    for (const [name, m] of cc.models) if (agg.hasModel(name)) agg.setElo(agg.modelId(name), m.elo);
    return agg;
  }

  /** First timed vote of each model (on any board). */
  firstVotes(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, m] of this.categories.get('overall')?.models ?? []) if (m.firstVoteAt !== null) out.set(name, m.firstVoteAt);
    return out;
  }
}
