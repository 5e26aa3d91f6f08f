import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import type { Store } from '../../db/store';
import { iterateExportBattles, type ExportBattleRow } from '../../db/queries/exports';
import { createBattleWriter, type BattleFileFormat, type CleanBattle } from '../export';
import type { StyleFeatures } from '../rating';

/**
 * Counted battles out of the store as clean_battle records, in vote order (the order the rating
 * pass uses, so a re-import replays the same online Elo). Nothing identifies a voter: battles
 * fought here get the judge "arena_user" (the stored judge of those is the voter id), or on
 * request a pseudonym, and no address is ever stored.
 */

export const ARENA_JUDGE = 'arena_user';

/**
 * Opt-in pseudonymous judges: each voter (account, or browser when anonymous) becomes
 * "anon-<12 characters>", a keyed hash that is stable across exports of this arena, so agreement
 * between annotators can be studied, but says nothing about who they are without the app's secret.
 */
export type Pseudonymizer = (identity: string) => string;

export function pseudonymizer(key: string): Pseudonymizer {
  return (identity) => `anon-${crypto.createHmac('sha256', key).update(identity).digest('base64url').slice(0, 12)}`;
}

export interface ExportOptions {
  pseudonyms?: Pseudonymizer;
}

export function toCleanBattle(row: ExportBattleRow, opts: ExportOptions = {}): CleanBattle {
  const questionId = row.questionId ?? (row.source === 'arena' ? row.battleId : null);
  const judge =
    row.source === 'import' && row.importedJudge
      ? row.importedJudge
      : opts.pseudonyms && row.identity
        ? opts.pseudonyms(row.identity)
        : ARENA_JUDGE;
  return {
    model_a: row.modelA,
    model_b: row.modelB,
    winner: row.winner,
    tstamp: row.votedAt / 1000,
    judge,
    turn: Math.max(1, row.turns),
    // Battles fought here are always blind; an import keeps what its file said.
    anony: row.anony === null ? true : row.anony === 1,
    language: row.language ?? undefined,
    question_id: questionId ?? undefined,
    conversation_a: row.conversationA ? (JSON.parse(row.conversationA) as CleanBattle['conversation_a']) : undefined,
    conversation_b: row.conversationB ? (JSON.parse(row.conversationB) as CleanBattle['conversation_b']) : undefined,
    conv_metadata: row.styleFeatures ? convMetadata(JSON.parse(row.styleFeatures) as { a: StyleFeatures; b: StyleFeatures }) : undefined,
    // The probability with which this arena drew the pair (absent for imports and chosen models).
    sampling_probability: row.samplingProbability !== null && row.samplingProbability > 0 ? row.samplingProbability : undefined,
  };
}

/** Imported style features back in Chatbot Arena's conv_metadata form. */
function convMetadata({ a, b }: { a: StyleFeatures; b: StyleFeatures }): Record<string, number> {
  return {
    sum_assistant_a_tokens: a.tokens,
    header_count_a: a.headers,
    list_count_a: a.listItems,
    bold_count_a: a.bold,
    sum_assistant_b_tokens: b.tokens,
    header_count_b: b.headers,
    list_count_b: b.listItems,
    bold_count_b: b.bold,
  };
}

/** Writes every counted battle to `out`; returns how many. */
export async function writeBattleExport({
  db,
  format,
  out,
  pseudonyms,
}: { db?: Store; format: BattleFileFormat; out: NodeJS.WritableStream } & ExportOptions): Promise<number> {
  const writer = createBattleWriter(out as Writable, format);
  let count = 0;
  for await (const batch of iterateExportBattles({ db })) {
    for (const row of batch) {
      await writer.write(toCleanBattle(row, { pseudonyms }));
      count++;
    }
  }
  await writer.end();
  return count;
}

/**
 * The same export as a web stream for an HTTP response. Pull-based: the next batch is read from
 * the database only when the client has taken the previous one, and a client that goes away
 * closes the query (and its connection) at once.
 */
export function battleExportStream({ db, format, pseudonyms }: { db?: Store; format: BattleFileFormat } & ExportOptions): ReadableStream<Uint8Array> {
  const parts: string[] = [];
  const sink = new Writable({
    decodeStrings: false,
    highWaterMark: 1 << 30,
    write(chunk: string, _enc, cb) {
      parts.push(chunk);
      cb();
    },
  });
  const writer = createBattleWriter(sink, format);
  const batches = iterateExportBattles({ db });
  const encoder = new TextEncoder();
  let ended = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (ended) return;
      const next = await batches.next();
      if (next.done) {
        await writer.end();
        ended = true;
      } else {
        for (const row of next.value) await writer.write(toCleanBattle(row, { pseudonyms }));
      }
      if (parts.length) controller.enqueue(encoder.encode(parts.splice(0).join('')));
      if (ended) controller.close();
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
