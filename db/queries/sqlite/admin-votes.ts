import { AppError } from '../../../lib/errors';
import { getDb, type Db } from '../../index';
import { recomputeExclusionsSync } from './exclusions';

/**
 * The console's vote browser. Votes are listed newest battle first with keyset pagination on
 * (battle created_at, battle rowid), which every filter can follow down an index: the model
 * indexes (one branch per side, merged), source, voter and account indexes, the created_at index
 * for dates, and the excluded_reason index for the few excluded votes. No query here counts or
 * sorts the whole table, so a page costs the same at 1.67 M battles as at 100.
 */

type WithDb = { db?: Db };

export interface VoteFilter {
  model?: string;
  voterId?: string;
  userId?: string;
  /** Battles started at or after this time (unix ms). */
  from?: number;
  /** Battles started before this time (unix ms). */
  to?: number;
  source?: 'arena' | 'import';
  /** 'counted', 'excluded' (any reason), or a reason (the part before ':', e.g. 'identity_leak'). */
  reason?: string;
}

/** Where a page ends: the last row's battle time and rowid. */
export interface VoteCursor {
  t: number;
  r: number;
}

export interface VoteListRow {
  voteId: number;
  battleId: string;
  winner: 'model_a' | 'model_b' | 'tie' | 'tie (bothbad)';
  votedAt: number;
  battleAt: number;
  modelA: string;
  modelB: string;
  source: 'arena' | 'import';
  mode: 'live' | 'recorded' | 'imported' | 'named' | 'direct';
  turns: number;
  voterId: string | null;
  userId: string | null;
  judge: string | null;
  excludedReason: string | null;
  leakReason: string | null;
  moderation: 'exclude' | 'restore' | null;
  moderationNote: string | null;
  moderatedBy: string | null;
  moderatedAt: number | null;
  /** The first prompt, cut short: the list never carries whole conversations. */
  excerpt: string | null;
}

export const EXCERPT_CHARS = 160;

function where(filter: VoteFilter, cursor: VoteCursor | null, side: 'a' | 'b' | null): { sql: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  if (side) {
    parts.push(side === 'a' ? 'b.model_a = ?' : 'b.model_b = ?');
    args.push(filter.model);
  }
  // Written out, not bound: the planner uses the partial index battles_arena_idx only for the literal.
  if (filter.source === 'arena') parts.push("b.source = 'arena'");
  if (filter.source === 'import') parts.push("b.source = 'import'");
  if (filter.voterId) {
    parts.push('b.voter_id = ?');
    args.push(filter.voterId);
  }
  if (filter.userId) {
    parts.push('b.user_id = ?');
    args.push(filter.userId);
  }
  if (filter.from !== undefined) {
    parts.push('b.created_at >= ?');
    args.push(filter.from);
  }
  if (filter.to !== undefined) {
    parts.push('b.created_at < ?');
    args.push(filter.to);
  }
  const reason = filter.reason;
  if (reason === 'counted') {
    // The unary + keeps the planner off the excluded_reason index: almost every vote is counted.
    parts.push('+v.excluded_reason IS NULL');
  } else if (reason === 'excluded') {
    parts.push("v.excluded_reason > ''");
  } else if (reason) {
    // 'banned' and 'banned' alike, 'identity_leak' and 'identity_leak: gpt' alike; ';' sorts right after ':'.
    parts.push('v.excluded_reason >= ? AND v.excluded_reason < ? AND (v.excluded_reason = ? OR substr(v.excluded_reason, 1, ?) = ?)');
    args.push(reason, `${reason};`, reason, reason.length + 1, `${reason}:`);
  }
  if (cursor) {
    parts.push('b.created_at <= ? AND (b.created_at < ? OR b.rowid < ?)');
    args.push(cursor.t, cursor.t, cursor.r);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
}

/** Excluded votes are few: start from their index. Otherwise walk battles newest first. */
function fromClause(filter: VoteFilter): string {
  const excludedOnly = filter.reason !== undefined && filter.reason !== 'counted';
  return excludedOnly ? 'FROM votes v CROSS JOIN battles b ON b.id = v.battle_id' : 'FROM battles b JOIN votes v ON v.battle_id = b.id';
}

const DETAIL = `
  SELECT v.id AS voteId, b.id AS battleId, v.winner, v.created_at AS votedAt, b.created_at AS battleAt,
         b.model_a AS modelA, b.model_b AS modelB, b.source, b.mode, b.turns, b.voter_id AS voterId,
         b.user_id AS userId, b.judge, v.excluded_reason AS excludedReason, v.leak_reason AS leakReason,
         v.moderation, v.moderation_note AS moderationNote, v.moderated_by AS moderatedBy,
         v.moderated_at AS moderatedAt, b.rowid AS r,
         (SELECT substr(m.content, 1, ${EXCERPT_CHARS + 1}) FROM messages m
           WHERE m.battle_id = b.id AND m.side = 'a' AND m.turn = 1 AND m.role = 'user' ORDER BY m.id LIMIT 1) AS excerpt
    FROM votes v JOIN battles b ON b.id = v.battle_id`;

/** One page of votes matching the filter, newest battle first, and the cursor of the next page. */
export async function listVotes(
  params: WithDb & { filter: VoteFilter; cursor?: VoteCursor | null; limit: number },
): Promise<{ rows: VoteListRow[]; next: VoteCursor | null }> {
  const db = params.db ?? getDb();
  const c = db.$client;
  const { filter, limit } = params;
  const cursor = params.cursor ?? null;
  const take = limit + 1;
  let keys: { vid: number }[];
  if (filter.model) {
    const a = where(filter, cursor, 'a');
    const b = where(filter, cursor, 'b');
    const branch = (w: { sql: string }) =>
      `SELECT * FROM (SELECT v.id AS vid, b.created_at AS t, b.rowid AS r ${fromClause(filter)} ${w.sql}
                        ORDER BY b.created_at DESC, b.rowid DESC LIMIT ${take})`;
    keys = c.prepare(`${branch(a)} UNION ${branch(b)} ORDER BY t DESC, r DESC LIMIT ${take}`).all(...a.args, ...b.args) as { vid: number }[];
  } else {
    const w = where(filter, cursor, null);
    keys = c
      .prepare(`SELECT v.id AS vid ${fromClause(filter)} ${w.sql} ORDER BY b.created_at DESC, b.rowid DESC LIMIT ${take}`)
      .all(...w.args) as { vid: number }[];
  }
  const more = keys.length > limit;
  const ids = keys.slice(0, limit).map((k) => k.vid);
  if (ids.length === 0) return { rows: [], next: null };
  const rows = c
    .prepare(`${DETAIL} WHERE v.id IN (${ids.map(() => '?').join(',')}) ORDER BY b.created_at DESC, b.rowid DESC`)
    .all(...ids) as (VoteListRow & { r: number })[];
  const last = rows.at(-1)!;
  return {
    rows: rows.map(({ r: _r, ...row }) => row),
    next: more ? { t: last.battleAt, r: last.r } : null,
  };
}

export async function getVoteRow(params: WithDb & { voteId: number }): Promise<VoteListRow | null> {
  const db = params.db ?? getDb();
  const row = db.$client.prepare(`${DETAIL} WHERE v.id = ?`).get(params.voteId) as (VoteListRow & { r: number }) | undefined;
  if (!row) return null;
  const { r: _r, ...out } = row;
  return out;
}

export async function getVoteRowByBattle(params: WithDb & { battleId: string }): Promise<VoteListRow | null> {
  const db = params.db ?? getDb();
  const row = db.$client.prepare(`${DETAIL} WHERE v.battle_id = ?`).get(params.battleId) as (VoteListRow & { r: number }) | undefined;
  if (!row) return null;
  const { r: _r, ...out } = row;
  return out;
}

export type ModerationAction = 'exclude' | 'restore' | 'clear';

/**
 * An operator's decision on one vote: exclude it (with a note), restore it (counted even if a
 * rule would exclude it), or clear the decision (the rules decide again). The effective reason is
 * recomputed and the audit entry written in the same transaction; a changed reason bumps the
 * ratings input, so the refresher recomputes the boards.
 */
export async function moderateVote(
  params: WithDb & { voteId: number; action: ModerationAction; note: string | null; by: string; now?: number },
): Promise<{ before: VoteListRow; after: VoteListRow }> {
  const db = params.db ?? getDb();
  const c = db.$client;
  const now = params.now ?? Date.now();
  return c.transaction(() => {
    const before = c.prepare(`${DETAIL} WHERE v.id = ?`).get(params.voteId) as (VoteListRow & { r: number }) | undefined;
    if (!before) throw new AppError('not_found', 'No vote with this id.');
    if (params.action === 'clear') {
      c.prepare('UPDATE votes SET moderation = NULL, moderation_note = NULL, moderated_by = NULL, moderated_at = NULL WHERE id = ?').run(params.voteId);
    } else {
      c.prepare('UPDATE votes SET moderation = ?, moderation_note = ?, moderated_by = ?, moderated_at = ? WHERE id = ?').run(
        params.action,
        params.note,
        params.by,
        now,
        params.voteId,
      );
    }
    recomputeExclusionsSync(c, { voteId: params.voteId });
    const after = c.prepare(`${DETAIL} WHERE v.id = ?`).get(params.voteId) as VoteListRow & { r: number };
    const facts = (r: VoteListRow) => ({ battle: r.battleId, moderation: r.moderation, note: r.moderationNote, excludedReason: r.excludedReason });
    c.prepare('INSERT INTO audit_log (actor_user_id, action, target, before, after, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      params.by,
      `vote.${params.action}`,
      String(params.voteId),
      JSON.stringify(facts(before)),
      JSON.stringify(facts(after)),
      now,
    );
    const strip = ({ r: _r, ...row }: VoteListRow & { r: number }) => row;
    return { before: strip(before), after: strip(after) };
  })();
}
