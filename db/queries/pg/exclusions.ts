import { sql, type SQL } from 'drizzle-orm';
import type { PgDb } from '../../postgres';
import type { ExclusionScope } from '../sqlite/exclusions';
import { changes, row, rows, type PgExec } from './exec';
import { bumpRatingsInputIn } from './ratings-input';

/**
 * Postgres twin of db/queries/sqlite/exclusions.ts: the same definition of why a vote does not
 * count (its comment gives the order of precedence), in Postgres's words: `->>` for
 * json_extract, IS DISTINCT FROM for IS NOT, position() for instr().
 */
const EFFECTIVE_REASON = sql.raw(`CASE
  WHEN votes.moderation = 'exclude' THEN 'moderated' || coalesce(': ' || nullif(votes.moderation_note, ''), '')
  WHEN votes.moderation = 'restore' THEN NULL
  WHEN EXISTS (SELECT 1 FROM voters vr WHERE vr.id = votes.voter_id AND vr.banned_at IS NOT NULL) THEN 'banned'
  WHEN EXISTS (SELECT 1 FROM battles bt JOIN users u ON u.id = bt.user_id
                WHERE bt.id = votes.battle_id AND u.disabled_at IS NOT NULL) THEN 'banned'
  WHEN EXISTS (SELECT 1 FROM battles bt WHERE bt.id = votes.battle_id AND bt.mode = 'recorded' AND bt.user_id IS NULL)
   AND coalesce((SELECT (s.value::jsonb ->> 'recordedTrustedOnly') FROM settings s WHERE s.key = 'integrity'), 'false') = 'true'
   THEN 'recorded_public'
  WHEN EXISTS (SELECT 1 FROM voters vr WHERE vr.id = votes.voter_id AND vr.trust_override = 'untrusted') THEN 'low_trust: operator'
  ELSE coalesce(
    (SELECT vr.trust_flag FROM voters vr WHERE vr.id = votes.voter_id AND vr.trust_flag IS NOT NULL
        AND coalesce(vr.trust_override, '') <> 'trusted'),
    votes.leak_reason)
END`);

function scopeSql(scope: ExclusionScope): SQL {
  if ('voteId' in scope) return sql`id = ${scope.voteId}`;
  if ('voterId' in scope) return sql`voter_id = ${scope.voterId}`;
  if ('userId' in scope) {
    return sql`battle_id IN (SELECT id FROM battles WHERE user_id = ${scope.userId}) OR voter_id IN (SELECT id FROM voters WHERE user_id = ${scope.userId})`;
  }
  return sql`TRUE`;
}

/** Brings `excluded_reason` in line for the votes in scope, inside the caller's transaction; returns how many changed. */
export async function recomputeExclusionsIn(db: PgExec, scope: ExclusionScope): Promise<number> {
  const n = await changes(
    db,
    sql`UPDATE votes SET excluded_reason = ${EFFECTIVE_REASON}
         WHERE (${scopeSql(scope)}) AND excluded_reason IS DISTINCT FROM (${EFFECTIVE_REASON})`,
  );
  if (n > 0) await bumpRatingsInputIn(db);
  return n;
}

export async function recomputeExclusions(params: { db?: PgDb; scope: ExclusionScope }): Promise<number> {
  return params.db!.transaction((tx) => recomputeExclusionsIn(tx, params.scope));
}

type Counts = { counted: number; excluded: Record<string, number> };

export async function exclusionCounts({ db }: { db?: PgDb } = {}): Promise<Counts> {
  const byReason = await rows<{ reason: string; n: number }>(
    db!,
    sql`SELECT CASE WHEN position(':' in excluded_reason) > 0 THEN substr(excluded_reason, 1, position(':' in excluded_reason) - 1)
                    ELSE excluded_reason END AS reason, count(*) AS n
          FROM votes WHERE excluded_reason > '' GROUP BY 1`,
  );
  const total = (await row<{ n: number }>(db!, sql`SELECT count(*) AS n FROM votes`))!.n;
  // Study judgments count in their study's report, not on the board.
  const study = (await row<{ n: number }>(
    db!,
    sql`SELECT count(*) AS n FROM battles b JOIN votes v ON v.battle_id = b.id WHERE b.study_id IS NOT NULL AND v.excluded_reason IS NULL`,
  ))!.n;
  const excluded: Record<string, number> = {};
  let excludedTotal = 0;
  for (const r of byReason) {
    excluded[r.reason] = (excluded[r.reason] ?? 0) + r.n;
    excludedTotal += r.n;
  }
  return { counted: total - excludedTotal - study, excluded };
}

const COUNTS_KEY = 'ratings.exclusions';

export async function storeExclusionCounts({ db, now = Date.now() }: { db?: PgDb; now?: number } = {}): Promise<void> {
  const counts = await exclusionCounts({ db });
  await db!.execute(sql`INSERT INTO settings (key, value, updated_at) VALUES (${COUNTS_KEY}, ${JSON.stringify(counts)}, ${now})
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
}

export async function storedExclusionCounts({ db }: { db?: PgDb } = {}): Promise<Counts | null> {
  const r = await row<{ value: string }>(db!, sql`SELECT value FROM settings WHERE key = ${COUNTS_KEY}`);
  return r ? (JSON.parse(r.value) as Counts) : null;
}
