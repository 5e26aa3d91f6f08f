import { countedVote, countsInputStamp, readPairCountCursor } from '../../db/queries/pair-counts';
import { importedBattleIdPrefix, type ImportRecord } from '../../db/queries/imports';
import { readSettingRows } from '../../db/queries/settings';
import type { Store } from '../../db/store';
import { influenceCapsOf, parseOperatorSettings } from '../settings/schema';
import { foldVotesInHand, type FoldSummary } from './count-boards';
import type { CountedVote } from './pair-counts';

/**
 * The votes of an import as the board's counts take them, gathered while the import writes its
 * batches and folded into the stored counts when it is done (count-boards.ts foldVotesInHand).
 * Without this, the first counts pass after importing a million battles reads every one of them
 * back from the store (on Postgres about 15 s) before a board can be shown.
 *
 * It gives up early (and holds nothing) where the fold could not be taken in anyway: a store with
 * votes but no counts, or a record older than the newest vote already counted (an import of past
 * battles into a running arena: the counts are then rebuilt from the store, as always).
 */
export class ImportCounts {
  private votes: CountedVote[] | null = [];
  /** One string per model name, however many records repeat it (a parsed file gives a new one each time). */
  private readonly names = new Map<string, string>();

  private constructor(
    private readonly importedAt: number,
    private readonly newestCounted: number,
  ) {}

  /** A collector for an import begun at `importedAt`, or null when the store's counts could not take it in. */
  static async open({ db, importedAt }: { db: Store; importedAt: number }): Promise<ImportCounts | null> {
    const cursor = await readPairCountCursor({ db });
    if (!cursor && (await countsInputStamp({ db, waitMs: 0 })).voteId > 0) return null;
    return new ImportCounts(importedAt, cursor?.lastVoteAt ?? Number.NEGATIVE_INFINITY);
  }

  private name(s: string): string {
    const hit = this.names.get(s);
    if (hit !== undefined) return hit;
    this.names.set(s, s);
    return s;
  }

  /** One record as written (in file order). */
  add(r: ImportRecord): void {
    if (!this.votes) return;
    if (r.createdAt < this.newestCounted) {
      this.votes = null;
      return;
    }
    // The row as the stores' counted-vote query reads it back (db/queries/sqlite/pair-counts.ts).
    const vote = countedVote([
      0,
      this.name(r.modelA),
      this.name(r.modelB),
      r.winner,
      r.language === null ? null : this.name(r.language),
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
    if (vote) this.votes.push(vote);
    else this.votes = null;
  }

  /**
   * Folds the votes into the stored counts, in vote-time order (ties in file order, which is the
   * order of their ids); null when the store's counts could not take them in.
   */
  async fold({ db, importId }: { db: Store; importId: number }): Promise<FoldSummary | null> {
    const votes = this.votes;
    this.votes = null;
    if (!votes?.length) return null;
    let ordered = true;
    for (let i = 1; i < votes.length && ordered; i++) ordered = votes[i - 1].voteAt <= votes[i].voteAt;
    // Array.prototype.sort is stable: equal vote times keep their file order.
    if (!ordered) votes.sort((x, y) => x.voteAt - y.voteAt);
    const { integrity } = parseOperatorSettings(await readSettingRows({ db }));
    return foldVotesInHand({ db, caps: influenceCapsOf(integrity), votes, battleIdPrefix: importedBattleIdPrefix(importId) });
  }
}
