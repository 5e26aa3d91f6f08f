import { sql, type SQL } from 'drizzle-orm';
import { AppError } from '../../../lib/errors';
import type { PgDb } from '../../postgres';
import { EXCERPT_CHARS, type ModerationAction, type VoteCursor, type VoteFilter, type VoteListRow } from '../sqlite/admin-votes';
import { row, rows, type PgExec } from './exec';
import { recomputeExclusionsIn } from './exclusions';

/**
 * Postgres twin of db/queries/sqlite/admin-votes.ts. Postgres has no rowid: the keyset is
 * (battle created_at, vote id) — a battle has at most one vote, so the vote id is as unique a
 * tie-break as the battle's rowid, and the cursor's `r` carries it. SQLite's planner hints (the
 * unary +, CROSS JOIN) are left out; Postgres plans the join itself.
 */

type WithDb = { db?: PgDb };

function where(filter: VoteFilter, cursor: VoteCursor | null, side: 'a' | 'b' | null): SQL {
  const parts: SQL[] = [];
  if (side) parts.push(side === 'a' ? sql`b.model_a = ${filter.model}` : sql`b.model_b = ${filter.model}`);
  // Written out, not bound: the partial index battles_arena_idx matches the literal.
  if (filter.source === 'arena') parts.push(sql`b.source = 'arena'`);
  if (filter.source === 'import') parts.push(sql`b.source = 'import'`);
  if (filter.voterId) parts.push(sql`b.voter_id = ${filter.voterId}`);
  if (filter.userId) parts.push(sql`b.user_id = ${filter.userId}`);
  if (filter.from !== undefined) parts.push(sql`b.created_at >= ${filter.from}`);
  if (filter.to !== undefined) parts.push(sql`b.created_at < ${filter.to}`);
  const reason = filter.reason;
  if (reason === 'counted') {
    parts.push(sql`v.excluded_reason IS NULL`);
  } else if (reason === 'excluded') {
    parts.push(sql`v.excluded_reason > ''`);
  } else if (reason) {
    // 'banned' and 'banned' alike, 'identity_leak' and 'identity_leak: gpt' alike; ';' sorts right after ':' (collation C).
    parts.push(
      sql`v.excluded_reason >= ${reason} AND v.excluded_reason < ${`${reason};`} AND (v.excluded_reason = ${reason} OR substr(v.excluded_reason, 1, ${reason.length + 1}) = ${`${reason}:`})`,
    );
  }
  if (cursor) parts.push(sql`b.created_at <= ${cursor.t} AND (b.created_at < ${cursor.t} OR v.id < ${cursor.r})`);
  return parts.length ? sql`WHERE ${sql.join(parts, sql` AND `)}` : sql``;
}

const FROM = sql`FROM battles b JOIN votes v ON v.battle_id = b.id`;

const DETAIL = sql.raw(`
  SELECT v.id AS "voteId", b.id AS "battleId", v.winner, v.created_at AS "votedAt", b.created_at AS "battleAt",
         b.model_a AS "modelA", b.model_b AS "modelB", b.source, b.mode, b.turns, b.voter_id AS "voterId",
         b.user_id AS "userId", b.judge, v.excluded_reason AS "excludedReason", v.leak_reason AS "leakReason",
         v.moderation, v.moderation_note AS "moderationNote", v.moderated_by AS "moderatedBy",
         v.moderated_at AS "moderatedAt",
         (SELECT substr(m.content, 1, ${EXCERPT_CHARS + 1}) FROM messages m
           WHERE m.battle_id = b.id AND m.side = 'a' AND m.turn = 1 AND m.role = 'user' ORDER BY m.id LIMIT 1) AS excerpt
    FROM votes v JOIN battles b ON b.id = v.battle_id`);

export async function listVotes(
  params: WithDb & { filter: VoteFilter; cursor?: VoteCursor | null; limit: number },
): Promise<{ rows: VoteListRow[]; next: VoteCursor | null }> {
  const db = params.db!;
  const { filter, limit } = params;
  const cursor = params.cursor ?? null;
  const take = limit + 1;
  let keys: { vid: number }[];
  if (filter.model) {
    // One branch per side, each down its model index, merged.
    const branch = (side: 'a' | 'b') =>
      sql`(SELECT v.id AS vid, b.created_at AS t ${FROM} ${where(filter, cursor, side)}
            ORDER BY b.created_at DESC, v.id DESC LIMIT ${take})`;
    keys = await rows<{ vid: number }>(db, sql`${branch('a')} UNION ${branch('b')} ORDER BY t DESC, vid DESC LIMIT ${take}`);
  } else {
    keys = await rows<{ vid: number }>(
      db,
      sql`SELECT v.id AS vid ${FROM} ${where(filter, cursor, null)} ORDER BY b.created_at DESC, v.id DESC LIMIT ${take}`,
    );
  }
  const more = keys.length > limit;
  const ids = keys.slice(0, limit).map((k) => k.vid);
  if (ids.length === 0) return { rows: [], next: null };
  const found = await rows<VoteListRow>(
    db,
    sql`${DETAIL} WHERE v.id = ANY(${sql.param(ids)}::int8[]) ORDER BY b.created_at DESC, v.id DESC`,
  );
  const last = found.at(-1)!;
  return { rows: found, next: more ? { t: last.battleAt, r: last.voteId } : null };
}

async function voteRow(db: PgExec, where: SQL): Promise<VoteListRow | null> {
  return (await row<VoteListRow>(db, sql`${DETAIL} WHERE ${where}`)) ?? null;
}

export async function getVoteRow(params: WithDb & { voteId: number }): Promise<VoteListRow | null> {
  return voteRow(params.db!, sql`v.id = ${params.voteId}`);
}

export async function getVoteRowByBattle(params: WithDb & { battleId: string }): Promise<VoteListRow | null> {
  return voteRow(params.db!, sql`v.battle_id = ${params.battleId}`);
}

export async function moderateVote(
  params: WithDb & { voteId: number; action: ModerationAction; note: string | null; by: string; now?: number },
): Promise<{ before: VoteListRow; after: VoteListRow }> {
  const now = params.now ?? Date.now();
  return params.db!.transaction(async (tx) => {
    // The vote row is locked: two operators' decisions on one vote are applied one after the other,
    // each audit entry's "before" being what the other left.
    const before = await voteRow(tx, sql`v.id = ${params.voteId} FOR UPDATE OF v`);
    if (!before) throw new AppError('not_found', 'No vote with this id.');
    if (params.action === 'clear') {
      await tx.execute(sql`UPDATE votes SET moderation = NULL, moderation_note = NULL, moderated_by = NULL, moderated_at = NULL WHERE id = ${params.voteId}`);
    } else {
      await tx.execute(sql`UPDATE votes SET moderation = ${params.action}, moderation_note = ${params.note}, moderated_by = ${params.by}, moderated_at = ${now}
                            WHERE id = ${params.voteId}`);
    }
    await recomputeExclusionsIn(tx, { voteId: params.voteId });
    const after = (await voteRow(tx, sql`v.id = ${params.voteId}`))!;
    const facts = (r: VoteListRow) => ({ battle: r.battleId, moderation: r.moderation, note: r.moderationNote, excludedReason: r.excludedReason });
    await tx.execute(sql`INSERT INTO audit_log (actor_user_id, action, target, before, after, created_at)
        VALUES (${params.by}, ${`vote.${params.action}`}, ${String(params.voteId)}, ${JSON.stringify(facts(before))}, ${JSON.stringify(facts(after))}, ${now})`);
    return { before, after };
  });
}
