import { createHash, type Hash } from 'node:crypto';
import {
  countedVoteTimeRange,
  hasBothSources,
  hasStoredAnswers,
  iterateCountedArenaVotes,
  iterateCountedBattles,
  readHistoryRow,
  saveHistory,
  saveSnapshots,
  type NewSnapshot,
} from '../../db/queries/leaderboard';
import { countIdentityVotes, DEFAULT_INFLUENCE_CAPS, influenceWeigher, type InfluenceCaps } from '../integrity/influence';
import { ratingsInputStamp, type RatingsInputStamp } from '../../db/queries/ratings-input';
import type { Store } from '../../db/store';
import {
  BattleAggregator,
  computeRatings,
  DEFAULT_MIN_STYLE_BATTLES,
  DEFAULT_PROVISIONAL_VOTES,
  styleDiff,
  styleFromConversation,
  type OutcomeCode,
  type RatingOptions,
  type StyleFeatures,
} from '../rating';
import {
  categoriesOf,
  LONG_PROMPT_CHARS,
  MAX_LANGUAGE_CATEGORIES,
  MAX_TAG_CATEGORIES,
  MIN_CATEGORY_BATTLES,
  MIN_FITTED_CATEGORY_BATTLES,
  NAMED_CATEGORY,
  SOURCE_CATEGORIES,
  VISION_CATEGORY,
  type BattleFacts,
  type CategoryId,
} from './categories';
import { METHOD, METHOD_STYLE, type BoardResult, type PairTally, type SnapshotParams, type SnapshotPass } from './board-types';
import { HistoryCollector, type HistorySummary, type StoredHistory } from './history';

/**
 * One rating pass: streams every counted battle once (vote-time order), feeds each into the
 * aggregator of every category it belongs to, then fits each board and stores it as a snapshot.
 * It runs in a worker thread in the app (lib/leaderboard/refresher.ts) and inline in the CLI and
 * tests. Settings are the CLI's defaults (`pairwise ratings` without flags: Bradley-Terry, profile
 * intervals, provisional below 30 votes), so the app's numbers equal the command's on the same
 * battles. A category board with fewer than MIN_FITTED_CATEGORY_BATTLES battles, and a
 * style-controlled board with fewer than 100 battles carrying style, is stored unfitted with the
 * reason in diagnostics.status, which the page and the API show.
 */

const WINNER_CODE = { model_a: 0, model_b: 1, tie: 2, 'tie (bothbad)': 3 } as const;
const HASH_ROWS = 16_384;

/**
 * One board's battles: the rating engine's aggregator plus a running hash of the data. Model
 * names are interned once per pass (global ids); each board maps them to its aggregator's own
 * ids through an array, so a battle costs no string lookups per board.
 */
class CategoryAccumulator {
  readonly agg = new BattleAggregator();
  battles = 0;
  styleBattles = 0;
  /** Imported battles without a tstamp (they keep file order at their import's time). */
  untimed = 0;
  private local: number[] = [];
  // The data hash covers (vote id, model a, model b, outcome, has style) of every battle, in
  // order; rows are packed into a typed array and hashed a block at a time.
  private readonly hash: Hash = createHash('sha256');
  private readonly rows = new Uint32Array(HASH_ROWS * 4);
  private filled = 0;

  add(voteId: number, ga: number, gb: number, names: string[], outcome: OutcomeCode, diff: Float64Array | null, untimed: number, weight = 1) {
    let a = this.local[ga];
    if (a === undefined) a = this.local[ga] = this.agg.modelId(names[ga]);
    let b = this.local[gb];
    if (b === undefined) b = this.local[gb] = this.agg.modelId(names[gb]);
    this.agg.addIds(a, b, outcome, diff, weight);
    this.battles++;
    if (diff) this.styleBattles++;
    this.untimed += untimed;
    const r = this.filled++ * 4;
    this.rows[r] = voteId;
    this.rows[r + 1] = a;
    this.rows[r + 2] = b;
    this.rows[r + 3] = outcome | (diff ? 4 : 0);
    if (this.filled === HASH_ROWS) this.flushHash();
  }

  private flushHash() {
    this.hash.update(new Uint8Array(this.rows.buffer, 0, this.filled * 16));
    this.filled = 0;
  }

  /** Hash of the battles added so far (the data hash of a board cut off here), leaving this one running. */
  prefixDigest(): string {
    this.flushHash();
    return this.hash.copy().digest('hex');
  }

  digest(): string {
    this.flushHash();
    this.hash.update(JSON.stringify(this.agg.models));
    return this.hash.digest('hex');
  }
}

/**
 * Outcome tallies per unordered pair, from the aggregator's counts per ordered pair; models in name
 * order, so that the same counts give the same tallies however they were gathered.
 */
export function pairTallies(agg: BattleAggregator): NonNullable<BoardResult['pairs']> {
  const snap = agg.snapshot();
  const models = [...snap.models].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const pos = new Map(models.map((m, k) => [m, k]));
  const local = snap.models.map((m) => pos.get(m)!);
  const byPair = new Map<number, PairTally>();
  for (let slot = 0; slot < snap.pairCount; slot++) {
    let i = local[snap.pairA[slot]];
    let j = local[snap.pairB[slot]];
    let wi = snap.counts[4 * slot];
    let wj = snap.counts[4 * slot + 1];
    if (i > j) {
      [i, j] = [j, i];
      [wi, wj] = [wj, wi];
    }
    const key = i * 1_048_576 + j;
    let t = byPair.get(key);
    if (!t) byPair.set(key, (t = [i, j, 0, 0, 0, 0]));
    t[2] += wi;
    t[3] += wj;
    t[4] += snap.counts[4 * slot + 2];
    t[5] += snap.counts[4 * slot + 3];
  }
  const rows = [...byPair.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return { models, rows };
}

export interface ComputeSummary {
  upToVoteId: number;
  /** What this pass counted: the highest vote id and the count of changes to counted votes. */
  input: RatingsInputStamp;
  battles: number;
  boards: { category: CategoryId; styleControl: boolean; battles: number; snapshotId: number; created: boolean }[];
  /** Milliseconds spent streaming battles, and fitting + storing. */
  readMs: number;
  fitMs: number;
  /** The overall board's rating history (inline runs; see `deferHistory`). */
  history?: HistorySummary;
}

export interface ComputeResult extends ComputeSummary {
  /** With `deferHistory`: fits and stores the rating history (call once, after the boards are out). */
  completeHistory?: () => Promise<HistorySummary>;
}

export interface ComputeOptions {
  db: Store;
  /** Bounded influence of one voter (lib/integrity/influence.ts); default DEFAULT_INFLUENCE_CAPS. */
  influence?: InfluenceCaps;
  /** Fewer votes than this make a model provisional (the board setting); default DEFAULT_PROVISIONAL_VOTES. */
  provisionalVotes?: number;
  /** Called after each stored board, overall first. */
  onBoard?: (board: ComputeSummary['boards'][number]) => void;
  now?: () => number;
  /**
   * Leave the rating history (the slow part the first time a long store is rated) to
   * `completeHistory`, so that the boards can be stored and announced first. Default false: the
   * history is fitted and stored before this returns.
   */
  deferHistory?: boolean;
}

/** The options every board is fitted with: `pairwise ratings` without flags (the provisional threshold is the board setting's). */
export const BOARD_FIT: Pick<RatingOptions, 'model' | 'ci' | 'provisionalVotes'> = {
  model: 'bradley-terry',
  ci: 'profile',
  provisionalVotes: DEFAULT_PROVISIONAL_VOTES,
};

/**
 * Style features of a side's answers, counted the way `pairwise ratings --style-control` counts
 * a clean_battle conversation (assistant turns joined by a newline), so that an exported file
 * gives the command the same style-controlled board.
 */
function sideStyle(answersJson: string | undefined): StyleFeatures | null {
  if (!answersJson || answersJson === '[]') return null;
  const answers = JSON.parse(answersJson) as string[];
  return styleFromConversation(answers.map((content) => ({ role: 'assistant', content })));
}

/**
 * Which boards get fitted, from the counted battles per category: the fixed ones when they have
 * battles, the most voted languages and tags. The per-source boards only when both sources have
 * counted battles (with one source they would repeat the overall board).
 */
export function selectCategories(battles: ReadonlyMap<CategoryId, number>): CategoryId[] {
  const n = (id: string) => battles.get(id) ?? 0;
  const byCount = (prefix: string, max: number) =>
    [...battles.entries()]
      .filter(([id, b]) => id.startsWith(prefix) && b >= MIN_CATEGORY_BATTLES)
      .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
      .slice(0, max)
      .map(([id]) => id);
  const bySource = n('source:arena') > 0 && n('source:import') > 0;
  const fixed = ['overall', 'coding', 'long-prompt', 'multi-turn', VISION_CATEGORY, NAMED_CATEGORY, ...(bySource ? SOURCE_CATEGORIES : [])].filter(
    (id) => n(id) > 0,
  );
  return [...fixed, ...byCount('language:', MAX_LANGUAGE_CATEGORIES), ...byCount('tag:', MAX_TAG_CATEGORIES)];
}

/** What one board is fitted from, whichever pass gathered it. */
export interface BoardInput {
  category: CategoryId;
  agg: BattleAggregator;
  styleControl: boolean;
  /** Untimed imported battles on this board. */
  untimed: number;
  /** Battles with style features on this board (as the last full pass counted them). */
  styleBattles: number;
  dataHash: string;
  firstVotes: ReadonlyMap<string, number>;
  influence: InfluenceCaps;
  provisionalVotes: number;
  input: RatingsInputStamp;
  pass: SnapshotPass;
  createdAt: number;
}

/** Fits one board and shapes it as a snapshot to store. */
export function fitBoard(b: BoardInput): NewSnapshot {
  const { category, agg, styleControl, input } = b;
  const minBattles = category === 'overall' ? 1 : MIN_FITTED_CATEGORY_BATTLES;
  const rated = computeRatings(agg, {
    ...BOARD_FIT,
    provisionalVotes: b.provisionalVotes,
    styleControl,
    matrices: false,
    minBattles,
    covariance: category === 'overall' && !styleControl,
    eloOrder: b.untimed > 0 ? 'file' : 'time',
  });
  const d = rated.diagnostics;
  // What the board was fitted with, as the result's diagnostics say it.
  const params: SnapshotParams = {
    ci: d.ci,
    bootstrap: d.bootstrapRounds,
    seed: d.seed,
    model: d.model,
    provisionalVotes: d.provisional.votes,
    minBattles: styleControl ? DEFAULT_MIN_STYLE_BATTLES : minBattles,
    reweight: false,
    anchor: null,
    styleBattles: b.styleBattles,
    influence: b.influence,
    upToVoteId: input.voteId,
    inputVersion: input.version,
    pass: b.pass,
  };
  const result: BoardResult = {
    battles: rated.battles,
    models: rated.models,
    category,
    styleControl,
    ...(rated.style ? { style: rated.style } : {}),
    diagnostics: d,
    pairs: pairTallies(agg),
    ...(rated.covariance ? { covariance: rated.covariance } : {}),
    firstVoteAt: Object.fromEntries(rated.models.filter((m) => b.firstVotes.get(m.model) !== undefined).map((m) => [m.model, b.firstVotes.get(m.model)!])),
    untimedBattles: b.untimed,
  };
  return {
    category,
    styleControl,
    method: styleControl ? METHOD_STYLE : METHOD,
    params: JSON.stringify(params),
    battleCount: rated.battles,
    dataHash: b.dataHash,
    result: JSON.stringify(result),
    createdAt: b.createdAt,
  };
}

type IdentityCounts = ReturnType<typeof countIdentityVotes>;

/** What bounded influence counts (countIdentityVotes) over every counted vote cast here, a part at a time (one on SQLite). */
async function arenaIdentityCounts(db: Store, upToVoteId: number): Promise<IdentityCounts> {
  let total: IdentityCounts | null = null;
  const add = (into: Map<string, number>, from: Map<string, number>) => {
    for (const [k, n] of from) into.set(k, (into.get(k) ?? 0) + n);
  };
  for await (const part of iterateCountedArenaVotes({ db, upToVoteId })) {
    const counts = countIdentityVotes(part);
    if (!total) {
      total = counts;
    } else {
      add(total.votes, counts.votes);
      add(total.votesOnModel, counts.votesOnModel);
    }
  }
  return total ?? countIdentityVotes([]);
}

export async function computeSnapshots({
  db,
  onBoard,
  influence = DEFAULT_INFLUENCE_CAPS,
  provisionalVotes = DEFAULT_PROVISIONAL_VOTES,
  now = Date.now,
  deferHistory = false,
}: ComputeOptions): Promise<ComputeResult> {
  const started = now();
  const input = await ratingsInputStamp({ db });
  const upToVoteId = input.voteId;
  const weigh = influenceWeigher(await arenaIdentityCounts(db, upToVoteId), influence);
  const range = await countedVoteTimeRange({ db, upToVoteId });
  const storedHistory = range ? await readHistoryRow({ db, category: 'overall' }) : null;
  let previousHistory: StoredHistory | null = null;
  try {
    previousHistory = storedHistory ? (JSON.parse(storedHistory.result) as StoredHistory) : null;
  } catch {
    previousHistory = null;
  }
  const acc = new Map<CategoryId, CategoryAccumulator>([['overall', new CategoryAccumulator()]]);
  let battles = 0;

  const withAnswers = await hasStoredAnswers({ db });
  const bySource = await hasBothSources({ db });
  const facts: BattleFacts = { language: null, isCode: null, promptChars: null, turns: 1, tags: null };
  const overall = acc.get('overall')!;
  const globalIds = new Map<string, number>();
  const names: string[] = [];
  const intern = (name: string) => {
    let id = globalIds.get(name);
    if (id === undefined) {
      id = names.length;
      globalIds.set(name, id);
      names.push(name);
    }
    return id;
  };
  const firstVoteAt: number[] = [];
  const diff = new Float64Array(4);
  // The overall board's history is fitted with the overall board's options, Elo aside (not drawn).
  const history = range ? new HistoryCollector(range, { ...BOARD_FIT, provisionalVotes }, previousHistory) : null;
  const prefix = () => overall.prefixDigest();
  for await (const batch of iterateCountedBattles({ db, upToVoteId, withAnswers })) {
    for (const [voteId, modelA, modelB, winner, language, isCode, promptChars, turns, tags, imported, styleJson, identity, voteAt, untimed, named, vision, answersA, answersB] of batch) {
      const outcome = WINNER_CODE[winner];
      // The same checks as BattleAggregator.add: such a battle cannot count.
      if (outcome === undefined || modelA === modelB || !modelA || !modelB) continue;
      battles++;
      // Style features as `pairwise ratings --style-control` takes them: an imported record's
      // conv_metadata first, else the stored answers.
      let style: Float64Array | null = null;
      if (styleJson) {
        const f = JSON.parse(styleJson) as { a: StyleFeatures; b: StyleFeatures };
        styleDiff(f.a, f.b, diff);
        style = diff;
      } else if (withAnswers) {
        const a = sideStyle(answersA);
        const b = a ? sideStyle(answersB) : null;
        if (a && b) {
          styleDiff(a, b, diff);
          style = diff;
        }
      }
      const ga = intern(modelA);
      const gb = intern(modelB);
      const weight = identity ? weigh(identity, modelA, modelB) : 1;
      // A battle that was not anonymous counts on its own board only (never on the main one).
      if (named) {
        let c = acc.get(NAMED_CATEGORY);
        if (!c) acc.set(NAMED_CATEGORY, (c = new CategoryAccumulator()));
        c.add(voteId, ga, gb, names, outcome, style, untimed, weight);
        continue;
      }
      // An untimed imported battle carries its import's time, which says nothing of when it was voted.
      if (!untimed) {
        firstVoteAt[ga] ??= voteAt;
        firstVoteAt[gb] ??= voteAt;
      }
      history?.advance(voteAt, overall.agg, prefix);
      overall.add(voteId, ga, gb, names, outcome, style, untimed, weight);
      if (bySource) {
        const cat = imported ? 'source:import' : 'source:arena';
        let c = acc.get(cat);
        if (!c) acc.set(cat, (c = new CategoryAccumulator()));
        c.add(voteId, ga, gb, names, outcome, style, untimed, weight);
      }
      // Most battles of a large import belong to no other board: skip the lookups then.
      if (!isCode && !language && !vision && turns <= 1 && (promptChars === null || promptChars <= LONG_PROMPT_CHARS) && tags === null) continue;
      facts.language = language;
      facts.isCode = isCode;
      facts.promptChars = promptChars;
      facts.turns = turns;
      facts.tags = tags;
      facts.vision = vision;
      for (const cat of categoriesOf(facts)) {
        if (cat === 'overall') continue;
        let c = acc.get(cat);
        if (!c) acc.set(cat, (c = new CategoryAccumulator()));
        c.add(voteId, ga, gb, names, outcome, style, untimed, weight);
      }
    }
  }
  history?.finish(overall.agg, prefix);
  const readDone = now();
  const firstVotes = new Map(names.map((n, k) => [n, firstVoteAt[k]]));

  const summary: ComputeSummary = { upToVoteId, input, battles, boards: [], readMs: readDone - started, fitMs: 0 };
  const createdAt = now();
  const fitted: NewSnapshot[] = [];
  const battlesOf = new Map([...acc].map(([id, c]) => [id, c.battles]));
  for (const category of selectCategories(battlesOf)) {
    const c = acc.get(category)!;
    const dataHash = c.digest();
    for (const styleControl of c.styleBattles > 0 ? [false, true] : [false]) {
      fitted.push(
        fitBoard({ category, agg: c.agg, styleControl, untimed: c.untimed, styleBattles: c.styleBattles, dataHash, firstVotes, influence, provisionalVotes, input, pass: 'full', createdAt }),
      );
    }
  }
  const saved = await saveSnapshots({ db, snapshots: fitted });
  fitted.forEach((f, i) => {
    const board = { category: f.category, styleControl: f.styleControl, battles: f.battleCount, snapshotId: saved[i].id, created: saved[i].created };
    summary.boards.push(board);
    onBoard?.(board);
  });
  summary.fitMs = now() - readDone;

  const completeHistory = async (): Promise<HistorySummary> => {
    if (!history) return { points: 0, fitted: 0, reused: 0, ms: 0 };
    const { history: stored, summary: done } = history.complete(now);
    await saveHistory({
      db,
      category: 'overall',
      params: JSON.stringify({ upToVoteId, inputVersion: input.version, stride: stored.stride, options: stored.options }),
      battleCount: overall.battles,
      dataHash: stored.points.at(-1)?.hash ?? '',
      result: JSON.stringify(stored),
      createdAt: now(),
    });
    return done;
  };
  if (deferHistory) return { ...summary, completeHistory };
  summary.history = await completeHistory();
  return summary;
}
