import type Database from 'better-sqlite3';
import { getDb, type Db } from '../../index';
import { bumpRatingsInputSync } from './ratings-input';

/**
 * The one definition of why a vote does not count. `votes.excluded_reason` is kept equal to this
 * expression whenever one of its inputs changes (a vote is cast, a voter or account is banned or
 * unbanned, a trust pass flags a voter, an operator excludes or restores a vote), so that the
 * rating pass reads a plain column. In order of precedence:
 *
 *   an operator's decision on the vote   → 'moderated: <note>' / counted
 *   the voter or its account is banned   → 'banned'
 *   a recorded battle by an anonymous voter, while the `integrity` setting recordedTrustedOnly is on
 *                                         → 'recorded_public' (recorded answers are public, a script can look them up)
 *   the voter's trust is flagged          → its flag (e.g. 'low_trust: burst') unless overridden as trusted
 *   the identity-leak check at vote time  → 'identity_leak: ...'
 */
export const EFFECTIVE_REASON_SQL = `CASE
  WHEN votes.moderation = 'exclude' THEN 'moderated' || coalesce(': ' || nullif(votes.moderation_note, ''), '')
  WHEN votes.moderation = 'restore' THEN NULL
  WHEN EXISTS (SELECT 1 FROM voters vr WHERE vr.id = votes.voter_id AND vr.banned_at IS NOT NULL) THEN 'banned'
  WHEN EXISTS (SELECT 1 FROM battles bt JOIN users u ON u.id = bt.user_id
                WHERE bt.id = votes.battle_id AND u.disabled_at IS NOT NULL) THEN 'banned'
  WHEN EXISTS (SELECT 1 FROM battles bt WHERE bt.id = votes.battle_id AND bt.mode = 'recorded' AND bt.user_id IS NULL)
   AND coalesce((SELECT json_extract(s.value, '$.recordedTrustedOnly') FROM settings s WHERE s.key = 'integrity'), 0) = 1
   THEN 'recorded_public'
  WHEN EXISTS (SELECT 1 FROM voters vr WHERE vr.id = votes.voter_id AND vr.trust_override = 'untrusted') THEN 'low_trust: operator'
  ELSE coalesce(
    (SELECT vr.trust_flag FROM voters vr WHERE vr.id = votes.voter_id AND vr.trust_flag IS NOT NULL
        AND coalesce(vr.trust_override, '') <> 'trusted'),
    votes.leak_reason)
END`;

export type ExclusionScope =
  | { voteId: number }
  | { voterId: string }
  | { userId: string }
  | { all: true };

function scopeSql(scope: ExclusionScope): { where: string; args: unknown[] } {
  if ('voteId' in scope) return { where: 'id = ?', args: [scope.voteId] };
  if ('voterId' in scope) return { where: 'voter_id = ?', args: [scope.voterId] };
  if ('userId' in scope) {
    return {
      where: 'battle_id IN (SELECT id FROM battles WHERE user_id = ?) OR voter_id IN (SELECT id FROM voters WHERE user_id = ?)',
      args: [scope.userId, scope.userId],
    };
  }
  return { where: '1 = 1', args: [] };
}

/** Brings `excluded_reason` in line with its inputs for the votes in scope; returns how many changed. */
export function recomputeExclusionsSync(client: Database.Database, scope: ExclusionScope): number {
  const { where, args } = scopeSql(scope);
  const info = client
    .prepare(
      `UPDATE votes SET excluded_reason = ${EFFECTIVE_REASON_SQL}
        WHERE (${where}) AND excluded_reason IS NOT (${EFFECTIVE_REASON_SQL})`,
    )
    .run(...args);
  if (info.changes > 0) bumpRatingsInputSync(client);
  return info.changes;
}

export async function recomputeExclusions(params: { db?: Db; scope: ExclusionScope }): Promise<number> {
  const db = params.db ?? getDb();
  return recomputeExclusionsSync(db.$client, params.scope);
}

/**
 * Counted and excluded votes by reason (the part before ':'), for the board and the console.
 * Excluded votes are read from their index and the total from the smallest one, so this stays a
 * few milliseconds at millions of votes (a GROUP BY over every vote took a third of a second).
 */
export async function exclusionCounts({ db = getDb() }: { db?: Db } = {}): Promise<{ counted: number; excluded: Record<string, number> }> {
  const c = db.$client;
  const rows = c
    .prepare(
      `SELECT CASE WHEN instr(excluded_reason, ':') > 0 THEN substr(excluded_reason, 1, instr(excluded_reason, ':') - 1)
                   ELSE excluded_reason END AS reason, count(*) AS n
         FROM votes WHERE excluded_reason > '' GROUP BY 1`,
    )
    .all() as { reason: string; n: number }[];
  const total = (c.prepare('SELECT count(*) AS n FROM votes').get() as { n: number }).n;
  // Study judgments count in their study's report, not on the board.
  const study = (
    c
      .prepare(`SELECT count(*) AS n FROM battles b JOIN votes v ON v.battle_id = b.id WHERE b.study_id IS NOT NULL AND v.excluded_reason IS NULL`)
      .get() as { n: number }
  ).n;
  const excluded: Record<string, number> = {};
  let excludedTotal = 0;
  for (const r of rows) {
    excluded[r.reason] = (excluded[r.reason] ?? 0) + r.n;
    excludedTotal += r.n;
  }
  return { counted: total - excludedTotal - study, excluded };
}

const COUNTS_KEY = 'ratings.exclusions';

/** Stores the counts as of a rating pass (the board shows them without scanning the votes). */
export async function storeExclusionCounts({ db = getDb(), now = Date.now() }: { db?: Db; now?: number } = {}): Promise<void> {
  const counts = await exclusionCounts({ db });
  db.$client
    .prepare(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`)
    .run(COUNTS_KEY, JSON.stringify(counts), now);
}

/** The counts stored by the last rating pass, or null before the first. */
export async function storedExclusionCounts({ db = getDb() }: { db?: Db } = {}): Promise<{ counted: number; excluded: Record<string, number> } | null> {
  const row = db.$client.prepare('SELECT value FROM settings WHERE key = ?').get(COUNTS_KEY) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as { counted: number; excluded: Record<string, number> }) : null;
}
