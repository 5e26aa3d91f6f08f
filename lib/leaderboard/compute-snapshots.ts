import { createHash, type Hash } from 'node:crypto';
import { iterateCountedBattles, latestVoteId, saveSnapshot } from '../../db/queries/leaderboard';
import type { Db } from '../../db/index';
import { BattleAggregator, computeRatings, styleFromConversation, type StyleFeatures } from '../rating';
import { categoriesOf, MAX_LANGUAGE_CATEGORIES, MAX_TAG_CATEGORIES, MIN_CATEGORY_BATTLES, type CategoryId } from './categories';
import { METHOD, METHOD_STYLE, type BoardResult, type PairTally, type SnapshotParams } from './board-types';

/**
 * One rating pass: streams every counted battle once (vote-time order), feeds each into the
 * aggregator of every category it belongs to, then fits each board and stores it as a snapshot.
 * It runs in a worker thread in the app (lib/leaderboard/refresher.ts) and inline in the CLI and
 * tests. Settings are the CLI's defaults (`pairwise ratings` without flags), so the app's numbers
 * equal the command's on the same battles.
 */

const WINNER_CODE = { model_a: 0, model_b: 1, tie: 2, 'tie (bothbad)': 3 } as const;

class CategoryAccumulator {
  readonly agg = new BattleAggregator();
  private readonly hash: Hash = createHash('sha256');
  private buf = '';
  battles = 0;
  styleBattles = 0;
  private readonly index = new Map<string, number>();
  readonly names: string[] = [];
  private readonly tallies = new Map<number, PairTally>();

  add(modelA: string, modelB: string, winner: keyof typeof WINNER_CODE, voteId: number, style?: { a: StyleFeatures; b: StyleFeatures }) {
    this.agg.add(modelA, modelB, winner, style);
    this.battles++;
    if (style) this.styleBattles++;
    this.buf += `${voteId}\t${modelA}\t${modelB}\t${WINNER_CODE[winner]}${style ? 's' : ''}\n`;
    if (this.buf.length > 65_536) {
      this.hash.update(this.buf);
      this.buf = '';
    }
    let i = this.modelIndex(modelA);
    let j = this.modelIndex(modelB);
    let w = WINNER_CODE[winner];
    if (i > j) {
      [i, j] = [j, i];
      if (w < 2) w = w === 0 ? 1 : 0;
    }
    const key = i * 1_000_003 + j;
    let t = this.tallies.get(key);
    if (!t) this.tallies.set(key, (t = [i, j, 0, 0, 0, 0]));
    t[2 + w]++;
  }

  private modelIndex(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.index.set(name, i);
      this.names.push(name);
    }
    return i;
  }

  digest(): string {
    this.hash.update(this.buf);
    this.buf = '';
    return this.hash.digest('hex');
  }

  pairs(): NonNullable<BoardResult['pairs']> {
    const rows = [...this.tallies.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    return { models: this.names, rows };
  }
}

export interface ComputeSummary {
  upToVoteId: number;
  battles: number;
  boards: { category: CategoryId; styleControl: boolean; battles: number; snapshotId: number; created: boolean }[];
  /** Milliseconds spent streaming battles, and fitting + storing. */
  readMs: number;
  fitMs: number;
}

export interface ComputeOptions {
  db: Db;
  /** Called after each stored board, overall first. */
  onBoard?: (board: ComputeSummary['boards'][number]) => void;
  now?: () => number;
}

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

/** Which boards get fitted: the fixed ones when they have battles, the most voted languages and tags. */
function selectCategories(acc: Map<CategoryId, CategoryAccumulator>): CategoryId[] {
  const byCount = (prefix: string, max: number) =>
    [...acc.entries()]
      .filter(([id, a]) => id.startsWith(prefix) && a.battles >= MIN_CATEGORY_BATTLES)
      .sort((x, y) => y[1].battles - x[1].battles || x[0].localeCompare(y[0]))
      .slice(0, max)
      .map(([id]) => id);
  const fixed = ['overall', 'coding', 'long-prompt', 'multi-turn'].filter((id) => (acc.get(id)?.battles ?? 0) > 0);
  return [...fixed, ...byCount('language:', MAX_LANGUAGE_CATEGORIES), ...byCount('tag:', MAX_TAG_CATEGORIES)];
}

export async function computeSnapshots({ db, onBoard, now = Date.now }: ComputeOptions): Promise<ComputeSummary> {
  const started = now();
  const upToVoteId = await latestVoteId({ db });
  const acc = new Map<CategoryId, CategoryAccumulator>([['overall', new CategoryAccumulator()]]);
  let battles = 0;

  for await (const batch of iterateCountedBattles({ db, upToVoteId, withAnswers: true })) {
    for (const row of batch) {
      battles++;
      const a = sideStyle(row.answersA);
      const b = a ? sideStyle(row.answersB) : null;
      const style = a && b ? { a, b } : undefined;
      for (const cat of categoriesOf(row)) {
        let c = acc.get(cat);
        if (!c) acc.set(cat, (c = new CategoryAccumulator()));
        c.add(row.modelA, row.modelB, row.winner, row.voteId, style);
      }
    }
  }
  const readDone = now();

  const summary: ComputeSummary = { upToVoteId, battles, boards: [], readMs: readDone - started, fitMs: 0 };
  const createdAt = now();
  for (const category of selectCategories(acc)) {
    const c = acc.get(category)!;
    const dataHash = c.digest();
    const pairs = c.pairs();
    const styleModes = c.styleBattles > 0 ? [false, true] : [false];
    for (const styleControl of styleModes) {
      const rated = computeRatings(c.agg, { styleControl, matrices: false });
      const params: SnapshotParams = {
        ci: 'sandwich',
        bootstrap: 0,
        seed: 42,
        reweight: false,
        anchor: null,
        styleBattles: c.styleBattles,
        upToVoteId,
      };
      const result: BoardResult = {
        battles: rated.battles,
        models: rated.models,
        category,
        styleControl,
        ...(rated.style ? { style: rated.style } : {}),
        diagnostics: rated.diagnostics,
        pairs,
      };
      const saved = await saveSnapshot({
        db,
        snapshot: {
          category,
          styleControl,
          method: styleControl ? METHOD_STYLE : METHOD,
          params: JSON.stringify(params),
          battleCount: rated.battles,
          dataHash,
          result: JSON.stringify(result),
          createdAt,
        },
      });
      const board = { category, styleControl, battles: rated.battles, snapshotId: saved.id, created: saved.created };
      summary.boards.push(board);
      onBoard?.(board);
    }
  }
  summary.fitMs = now() - readDone;
  return summary;
}
