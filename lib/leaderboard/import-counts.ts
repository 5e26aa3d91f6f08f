import { countedVote, countsInputStamp, parsePairCountCursor, readCursorText } from '../../db/queries/pair-counts';
import { importedBattleIdPrefix, type ImportRecord } from '../../db/queries/imports';
import { readSettingRows } from '../../db/queries/settings';
import type { Store } from '../../db/store';
import { influenceCapsOf, parseOperatorSettings } from '../settings/schema';
import { foldVotesInHand, type FoldSummary } from './count-boards';
import type { OutcomeCode } from '../rating';
import type { BattleFacts } from './categories';
import type { CountedVote } from './pair-counts';

/** Votes folded at a time (in vote-time order) once the import is written. */
const FOLD_CHUNK = 10_000;

/**
 * The votes of an import as the board's counts take them, gathered while the import writes its
 * batches and folded into the stored counts when it is done (count-boards.ts foldVotesInHand).
 * Without this, the first counts pass after importing a million battles reads every one of them
 * back from the store (on Postgres about 15 s) before a board can be shown.
 *
 * It gives up early (and lets go of what it holds) where the fold could not be taken in anyway: a
 * store with votes but no counts under the current rules, a record older than the newest vote
 * already counted (an import of past battles into a running arena: the counts are then rebuilt
 * from the store, as always), or a rating pass that counted some of its batches meanwhile (the
 * app running beside the import reads them from the store as they come).
 */
export class ImportCounts {
  /**
   * The votes, one row each across typed columns (a million imported battles would otherwise be
   * a million objects held to the end): vote time, both models and the facts as indexes into the
   * lists below, the outcome and whether the battle is untimed. Null once it gave up.
   */
  private rows: { voteAt: Float64Array; modelA: Uint32Array; modelB: Uint32Array; meta: Uint32Array } | null = {
    voteAt: new Float64Array(1024),
    modelA: new Uint32Array(1024),
    modelB: new Uint32Array(1024),
    meta: new Uint32Array(1024),
  };
  private count = 0;
  private readonly names: string[] = [];
  private readonly nameIds = new Map<string, number>();
  private readonly facts: BattleFacts[] = [];
  private readonly factIds = new Map<string, number>();

  private constructor(
    private readonly importedAt: number,
    private readonly newestCounted: number,
    private readonly cursorText: string | null,
  ) {}

  /**
   * A collector for an import begun at `importedAt`, or null when the store's counts could not
   * take it in: the store has votes, and no counts under the current rules to add to.
   */
  static async open({ db, importedAt }: { db: Store; importedAt: number }): Promise<ImportCounts | null> {
    const cursorText = await readCursorText({ db });
    const cursor = parsePairCountCursor(cursorText);
    const stamp = await countsInputStamp({ db, waitMs: 0 });
    const { integrity } = parseOperatorSettings(await readSettingRows({ db }));
    const current = cursor !== null && cursor.version === stamp.version && JSON.stringify(cursor.caps) === JSON.stringify(influenceCapsOf(integrity));
    if (!current && stamp.voteId > 0) return null;
    return new ImportCounts(importedAt, current ? cursor.lastVoteAt : Number.NEGATIVE_INFINITY, cursorText);
  }

  /** Whether the stored counts are still the ones this import would add to (nobody folded since it began). */
  async stillApplies(db: Store): Promise<boolean> {
    if (!this.rows) return false;
    if ((await readCursorText({ db })) === this.cursorText) return true;
    this.rows = null;
    return false;
  }

  private nameId(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.names.push(name) - 1;
      this.nameIds.set(name, id);
    }
    return id;
  }

  private factsId(f: BattleFacts): number {
    const key = `${f.language}\u0000${f.isCode}\u0000${f.promptChars}\u0000${f.turns}\u0000${f.tags}\u0000${f.named}\u0000${f.vision}`;
    let id = this.factIds.get(key);
    if (id === undefined) {
      id = this.facts.push(f) - 1;
      this.factIds.set(key, id);
    }
    return id;
  }

  /** One record as written (in file order). */
  add(r: ImportRecord): void {
    if (!this.rows) return;
    // The row as the stores' counted-vote query reads it back (db/queries/sqlite/pair-counts.ts).
    const vote = countedVote([
      0,
      r.modelA,
      r.modelB,
      r.winner,
      r.language,
      r.isCode === null ? null : r.isCode ? 1 : 0,
      r.promptChars,
      r.turns,
      r.tags?.length ? JSON.stringify(r.tags) : null,
      1,
      null,
      r.createdAt,
      r.createdAt === this.importedAt ? 1 : 0,
      r.anony === false ? 1 : 0,
      0,
    ]);
    if (!vote || vote.voteAt < this.newestCounted) {
      this.rows = null;
      return;
    }
    if (this.count === this.rows.voteAt.length) this.grow();
    const k = this.count++;
    this.rows.voteAt[k] = vote.voteAt;
    this.rows.modelA[k] = this.nameId(vote.modelA);
    this.rows.modelB[k] = this.nameId(vote.modelB);
    this.rows.meta[k] = (this.factsId(vote.facts) << 3) | (vote.outcome << 1) | (vote.untimed ? 1 : 0);
  }

  private grow(): void {
    const rows = this.rows!;
    const size = rows.voteAt.length * 2;
    const bigger = <T extends Float64Array | Uint32Array>(a: T, make: (n: number) => T) => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.rows = {
      voteAt: bigger(rows.voteAt, (n) => new Float64Array(n)),
      modelA: bigger(rows.modelA, (n) => new Uint32Array(n)),
      modelB: bigger(rows.modelB, (n) => new Uint32Array(n)),
      meta: bigger(rows.meta, (n) => new Uint32Array(n)),
    };
  }

  /** The votes in vote-time order, ties in file order (the order of their ids), in chunks. */
  private *ordered(): Generator<CountedVote[]> {
    const { voteAt, modelA, modelB, meta } = this.rows!;
    const n = this.count;
    const order = new Uint32Array(n);
    let sorted = true;
    for (let k = 0; k < n; k++) {
      order[k] = k;
      if (k > 0 && voteAt[k] < voteAt[k - 1]) sorted = false;
    }
    if (!sorted) order.sort((i, j) => voteAt[i] - voteAt[j] || i - j);
    for (let from = 0; from < n; from += FOLD_CHUNK) {
      const chunk: CountedVote[] = [];
      for (let p = from; p < Math.min(n, from + FOLD_CHUNK); p++) {
        const k = order[p];
        const m = meta[k];
        chunk.push({
          modelA: this.names[modelA[k]],
          modelB: this.names[modelB[k]],
          outcome: ((m >>> 1) & 3) as OutcomeCode,
          facts: this.facts[m >>> 3],
          imported: true,
          identity: null,
          voteAt: voteAt[k],
          untimed: (m & 1) === 1,
        });
      }
      yield chunk;
    }
  }

  /** Folds the votes into the stored counts (count-boards.ts foldVotesInHand); null when the store's counts could not take them in. */
  async fold({ db, importId }: { db: Store; importId: number }): Promise<FoldSummary | null> {
    if (!this.rows) return null;
    const { integrity } = parseOperatorSettings(await readSettingRows({ db }));
    const summary = await foldVotesInHand({
      db,
      caps: influenceCapsOf(integrity),
      votes: this.ordered(),
      count: this.count,
      battleIdPrefix: importedBattleIdPrefix(importId),
    });
    this.rows = null;
    return summary;
  }
}
