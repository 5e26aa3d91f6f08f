import type Database from 'better-sqlite3';
import { getDb, type Db } from '../index';
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

type Scope =
  | { voteId: number }
  | { voterId: string }
  | { userId: string }
  | { all: true };

function scopeSql(scope: Scope): { where: string; args: unknown[] } {
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
export function recomputeExclusionsSync(client: Database.Database, scope: Scope): number {
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

export async function recomputeExclusions(params: { db?: Db; scope: Scope }): Promise<number> {
  const db = params.db ?? getDb();
  return recomputeExclusionsSync(db.$client, params.scope);
}

/** Counted and excluded votes by reason (the part before ':'), for the board and the console. */
export async function exclusionCounts({ db = getDb() }: { db?: Db } = {}): Promise<{ counted: number; excluded: Record<string, number> }> {
  const rows = db.$client
    .prepare(
      `SELECT CASE WHEN excluded_reason IS NULL THEN NULL
                   WHEN instr(excluded_reason, ':') > 0 THEN substr(excluded_reason, 1, instr(excluded_reason, ':') - 1)
                   ELSE excluded_reason END AS reason, count(*) AS n
         FROM votes GROUP BY 1`,
    )
    .all() as { reason: string | null; n: number }[];
  const excluded: Record<string, number> = {};
  let counted = 0;
  for (const r of rows) {
    if (r.reason === null) counted = r.n;
    else excluded[r.reason] = r.n;
  }
  return { counted, excluded };
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
