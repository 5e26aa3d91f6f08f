import BetterSqlite3 from 'better-sqlite3';
import type Database from 'better-sqlite3';
import { databasePath, getDb, type Db } from '../../index';
import { COUNTED_WHERE, IDENTITY_SQL } from './leaderboard';

/**
 * Reads for the clean_battle export: every counted battle in vote-time order, the same order the
 * rating pass uses, so an exported file replays the same online Elo. Voter ids never leave here.
 */

export interface ExportBattleRow {
  voteId: number;
  battleId: string;
  modelA: string;
  modelB: string;
  winner: 'model_a' | 'model_b' | 'tie' | 'tie (bothbad)';
  /** Vote time, unix ms. */
  votedAt: number;
  /** Imported judge only; null for battles fought here (whose judge column holds a voter id). */
  importedJudge: string | null;
  turns: number;
  anony: number | null;
  language: string | null;
  questionId: string | null;
  source: 'arena' | 'import';
  /** Imported style features (JSON { a, b }), or null. */
  styleFeatures: string | null;
  /** The probability the arena drew this pair with (battles fought here by pairing), or null. */
  samplingProbability: number | null;
  /** Who voted, for pseudonymous judges: `user:<id>` or `voter:<id>` for battles fought here. Never written as is. */
  identity: string | null;
  /** JSON arrays of { role, content } (current answers only), null when nothing is stored. */
  conversationA: string | null;
  conversationB: string | null;
}

type Client = Database.Database;

/**
 * A prompt's images appear in its content as markers (lib/battle/images.ts imageMarker: type,
 * size and sha256), never as bytes, so an export stays small.
 */
const IMAGE_MARKERS = `(SELECT group_concat(char(10) || char(10) || '[image ' || bi.media_type || ' ' || bi.bytes || ' bytes sha256:' || bi.sha256 || ']', '')
                         FROM battle_images bi WHERE bi.battle_id = m.battle_id AND bi.turn = m.turn)`;

function conversationJson(side: 'a' | 'b'): string {
  return `(SELECT CASE WHEN count(*) = 0 THEN NULL ELSE json_group_array(json_object('role', role, 'content', content)) END
             FROM (SELECT m.role AS role,
                          CASE WHEN b.vision AND m.role = 'user' THEN m.content || coalesce(${IMAGE_MARKERS}, '') ELSE m.content END AS content
                     FROM messages m
                    WHERE m.battle_id = b.id AND m.side = '${side}' AND m.superseded = 0
                    ORDER BY m.turn, CASE m.role WHEN 'user' THEN 0 ELSE 1 END, m.id))`;
}

function rowsStatement(c: Client): Database.Statement {
  // Conversations are built inside the one streaming query: a connection that is iterating
  // cannot run a second statement. (The client keeps the compiled statement: db/index.ts.)
  return c.prepare(`SELECT v.id AS voteId, b.id AS battleId, b.model_a AS modelA, b.model_b AS modelB, v.winner AS winner,
            v.created_at AS votedAt,
            CASE WHEN b.source = 'import' THEN b.judge END AS importedJudge,
            b.turns AS turns, b.anony AS anony, b.language AS language, b.question_id AS questionId,
            b.source AS source, b.style_features AS styleFeatures, b.sampling_probability AS samplingProbability,
            ${IDENTITY_SQL} AS identity,
            ${conversationJson('a')} AS conversationA,
            ${conversationJson('b')} AS conversationB
       FROM votes v INDEXED BY votes_created_idx
       JOIN battles b ON b.id = v.battle_id
      WHERE ${COUNTED_WHERE}
      ORDER BY v.created_at, v.id`);
}

/**
 * Counted battles, streamed in batches. Without `db` it reads through a connection of its own,
 * closed when the iteration ends or is abandoned: a download can take a while, and the app's
 * shared connection cannot serve anything else while a query on it is being iterated.
 */
export async function* iterateExportBattles({
  db,
  batchSize = 2_000,
}: { db?: Db; batchSize?: number } = {}): AsyncGenerator<ExportBattleRow[]> {
  // getDb() first: it creates and migrates the store if this is the first thing the app does.
  const client = db?.$client ?? (getDb(), new BetterSqlite3(databasePath(), { readonly: true, fileMustExist: true }));
  try {
    client.pragma('busy_timeout = 5000');
    let batch: ExportBattleRow[] = [];
    for (const row of rowsStatement(client).iterate() as IterableIterator<ExportBattleRow>) {
      batch.push(row);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  } finally {
    if (!db) client.close();
  }
}
