import { sql } from 'drizzle-orm';
import type { PgDb } from '../../postgres';
import type { ExportBattleRow } from '../sqlite/exports';
import { COUNTED_WHERE, IDENTITY_SQL } from '../sqlite/leaderboard';
import { row, rows } from './exec';

/**
 * Postgres twin of db/queries/sqlite/exports.ts: the counted battles in vote-time order, read a
 * page at a time by (vote time, vote id) so that memory stays flat however many there are. The
 * export covers the votes there were when it began (SQLite's one streaming statement reads as
 * of its start), so a vote cast during a long download is not half in it.
 */

const IMAGE_MARKERS = `(SELECT string_agg(E'\\n\\n[image ' || bi.media_type || ' ' || bi.bytes::text || ' bytes sha256:' || bi.sha256 || ']', '' ORDER BY bi.id)
                         FROM battle_images bi WHERE bi.battle_id = m.battle_id AND bi.turn = m.turn)`;

/** A side's current messages as [role, content] pairs (null when none); JSON text is made in JS, as SQLite's json_object makes it. */
function conversationPairs(side: 'a' | 'b'): string {
  return `(SELECT json_agg(json_build_array(m.role,
                    CASE WHEN b.vision AND m.role = 'user' THEN m.content || coalesce(${IMAGE_MARKERS}, '') ELSE m.content END)
                    ORDER BY m.turn, CASE m.role WHEN 'user' THEN 0 ELSE 1 END, m.id)
             FROM messages m
            WHERE m.battle_id = b.id AND m.side = '${side}' AND m.superseded = false)`;
}

type PageRow = Omit<ExportBattleRow, 'conversationA' | 'conversationB'> & {
  conversationA: [string, string][] | null;
  conversationB: [string, string][] | null;
};

const conversationJson = (pairs: [string, string][] | null) =>
  pairs ? JSON.stringify(pairs.map(([role, content]) => ({ role, content }))) : null;

export async function* iterateExportBattles({ db, batchSize = 2_000 }: { db?: PgDb; batchSize?: number } = {}): AsyncGenerator<ExportBattleRow[]> {
  const upTo = (await row<{ id: number }>(db!, sql`SELECT coalesce(max(id), 0) AS id FROM votes`))!.id;
  let after: { at: number; id: number } | null = null;
  for (;;) {
    const page: PageRow[] = await rows<PageRow>(
      db!,
      sql`SELECT v.id AS "voteId", b.id AS "battleId", b.model_a AS "modelA", b.model_b AS "modelB", v.winner AS winner,
                 v.created_at AS "votedAt",
                 CASE WHEN b.source = 'import' THEN b.judge END AS "importedJudge",
                 b.turns AS turns, b.anony::int AS anony, b.language AS language, b.question_id AS "questionId",
                 b.source AS source, b.style_features AS "styleFeatures", b.sampling_probability AS "samplingProbability",
                 ${sql.raw(IDENTITY_SQL)} AS identity,
                 ${sql.raw(conversationPairs('a'))} AS "conversationA",
                 ${sql.raw(conversationPairs('b'))} AS "conversationB"
            FROM votes v
            JOIN battles b ON b.id = v.battle_id
           WHERE ${sql.raw(COUNTED_WHERE)} AND v.id <= ${upTo}
                 ${after ? sql`AND v.created_at >= ${after.at}::int8 AND (v.created_at, v.id) > (${after.at}::int8, ${after.id}::int8)` : sql``}
           ORDER BY v.created_at, v.id
           LIMIT ${batchSize}`,
    );
    if (page.length === 0) return;
    const last = page[page.length - 1];
    after = { at: last.votedAt, id: last.voteId };
    yield page.map((r) => ({ ...r, conversationA: conversationJson(r.conversationA), conversationB: conversationJson(r.conversationB) }));
    if (page.length < batchSize) return;
  }
}
