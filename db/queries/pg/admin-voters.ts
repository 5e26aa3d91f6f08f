import { sql, type SQL } from 'drizzle-orm';
import { AppError } from '../../../lib/errors';
import type { PgDb } from '../../postgres';
import type { AccountRow, CreatedCursor, SeenCursor, VoterRow } from '../sqlite/admin-voters';
import { row, rows, type PgExec } from './exec';
import { recomputeExclusionsIn } from './exclusions';

/**
 * Postgres twin of db/queries/sqlite/admin-voters.ts. A ban or a trust override locks the voter's
 * row (FOR UPDATE) before it reads what it changes; account changes take one transaction lock, so
 * two admins demoting or disabling each other at once cannot both pass the last-admin check.
 */

type WithDb = { db?: PgDb };

const VOTER_COLUMNS = sql.raw(`
  vr.id, vr.user_id AS "userId", u.email AS "userEmail", vr.created_at AS "firstSeenAt", vr.last_seen_at AS "lastSeenAt",
  vr.banned_at AS "bannedAt", vr.ban_reason AS "banReason", vr.trust, vr.trust_flag AS "trustFlag",
  vr.trust_override AS "trustOverride",
  (SELECT count(*) FROM votes v WHERE v.voter_id = vr.id) AS votes,
  (SELECT count(*) FROM votes v WHERE v.voter_id = vr.id AND v.excluded_reason IS NOT NULL) AS "excludedVotes"`);

function where(parts: SQL[]): SQL {
  return parts.length ? sql`WHERE ${sql.join(parts, sql` AND `)}` : sql``;
}

export async function listVoters(
  params: WithDb & { cursor?: SeenCursor | null; limit: number; banned?: boolean; id?: string },
): Promise<{ rows: VoterRow[]; next: SeenCursor | null }> {
  const parts: SQL[] = [];
  if (params.id) parts.push(sql`vr.id = ${params.id}`);
  if (params.banned === true) parts.push(sql`vr.banned_at IS NOT NULL`);
  if (params.banned === false) parts.push(sql`vr.banned_at IS NULL`);
  if (params.cursor) {
    const { t, id } = params.cursor;
    parts.push(sql`vr.last_seen_at <= ${t} AND (vr.last_seen_at < ${t} OR vr.id < ${id})`);
  }
  const found = await rows<VoterRow>(
    params.db!,
    sql`SELECT ${VOTER_COLUMNS} FROM voters vr LEFT JOIN users u ON u.id = vr.user_id ${where(parts)}
         ORDER BY vr.last_seen_at DESC, vr.id DESC LIMIT ${params.limit + 1}`,
  );
  const more = found.length > params.limit;
  const page = found.slice(0, params.limit);
  const last = page.at(-1);
  return { rows: page, next: more && last ? { t: last.lastSeenAt, id: last.id } : null };
}

export async function getVoterRow(params: WithDb & { id: string }): Promise<VoterRow | null> {
  return (
    (await row<VoterRow>(params.db!, sql`SELECT ${VOTER_COLUMNS} FROM voters vr LEFT JOIN users u ON u.id = vr.user_id WHERE vr.id = ${params.id}`)) ??
    null
  );
}

async function audit(tx: PgExec, by: string, action: string, target: string, before: unknown, after: unknown, now: number): Promise<void> {
  await tx.execute(sql`INSERT INTO audit_log (actor_user_id, action, target, before, after, created_at)
    VALUES (${by}, ${action}, ${target}, ${JSON.stringify(before)}, ${JSON.stringify(after)}, ${now})`);
}

export async function setVoterBan(
  params: WithDb & { voterId: string; banned: boolean; reason: string | null; by: string; now?: number },
): Promise<{ changedVotes: number }> {
  const now = params.now ?? Date.now();
  return params.db!.transaction(async (tx) => {
    const before = await row<{ bannedAt: number | null; banReason: string | null }>(
      tx,
      sql`SELECT banned_at AS "bannedAt", ban_reason AS "banReason" FROM voters WHERE id = ${params.voterId} FOR UPDATE`,
    );
    if (!before) throw new AppError('not_found', 'No voter with this id.');
    const after = params.banned ? { bannedAt: before.bannedAt ?? now, banReason: params.reason } : { bannedAt: null, banReason: null };
    await tx.execute(sql`UPDATE voters SET banned_at = ${after.bannedAt}, ban_reason = ${after.banReason} WHERE id = ${params.voterId}`);
    const changedVotes = await recomputeExclusionsIn(tx, { voterId: params.voterId });
    await audit(tx, params.by, params.banned ? 'voter.ban' : 'voter.unban', params.voterId, before, { ...after, changedVotes }, now);
    return { changedVotes };
  });
}

export async function setVoterTrustOverride(
  params: WithDb & { voterId: string; override: 'trusted' | 'untrusted' | null; by: string; now?: number },
): Promise<{ changedVotes: number }> {
  const now = params.now ?? Date.now();
  return params.db!.transaction(async (tx) => {
    const before = await row<{ trustOverride: string | null }>(
      tx,
      sql`SELECT trust_override AS "trustOverride" FROM voters WHERE id = ${params.voterId} FOR UPDATE`,
    );
    if (!before) throw new AppError('not_found', 'No voter with this id.');
    await tx.execute(sql`UPDATE voters SET trust_override = ${params.override} WHERE id = ${params.voterId}`);
    const changedVotes = await recomputeExclusionsIn(tx, { voterId: params.voterId });
    await audit(tx, params.by, 'voter.trust', params.voterId, before, { trustOverride: params.override, changedVotes }, now);
    return { changedVotes };
  });
}

// --- accounts ------------------------------------------------------------------------------

const ACCOUNT_COLUMNS = sql.raw(`
  u.id, u.email, u.name, u.role, u.created_at AS "createdAt", u.last_sign_in_at AS "lastSignInAt",
  u.disabled_at AS "disabledAt", u.disabled_reason AS "disabledReason",
  (SELECT count(*) FROM battles b WHERE b.user_id = u.id) AS battles`);

export async function listAccounts(
  params: WithDb & { cursor?: CreatedCursor | null; limit: number; q?: string; role?: 'voter' | 'admin' },
): Promise<{ rows: AccountRow[]; next: CreatedCursor | null }> {
  const parts: SQL[] = [];
  if (params.q) {
    const q = params.q.toLowerCase();
    parts.push(sql`(position(${q} in lower(coalesce(u.email, ''))) > 0 OR position(${q} in lower(coalesce(u.name, ''))) > 0)`);
  }
  if (params.role) parts.push(sql`u.role = ${params.role}`);
  if (params.cursor) {
    const { t, id } = params.cursor;
    parts.push(sql`u.created_at <= ${t} AND (u.created_at < ${t} OR u.id < ${id})`);
  }
  const found = await rows<AccountRow>(
    params.db!,
    sql`SELECT ${ACCOUNT_COLUMNS} FROM users u ${where(parts)} ORDER BY u.created_at DESC, u.id DESC LIMIT ${params.limit + 1}`,
  );
  const more = found.length > params.limit;
  const page = found.slice(0, params.limit);
  const last = page.at(-1);
  return { rows: page, next: more && last ? { t: last.createdAt, id: last.id } : null };
}

export async function getAccountRow(params: WithDb & { id: string }): Promise<AccountRow | null> {
  return (await row<AccountRow>(params.db!, sql`SELECT ${ACCOUNT_COLUMNS} FROM users u WHERE u.id = ${params.id}`)) ?? null;
}

export async function updateAccount(
  params: WithDb & { userId: string; role?: 'voter' | 'admin'; disabled?: boolean; reason?: string | null; by: string; now?: number },
): Promise<{ changedVotes: number }> {
  const now = params.now ?? Date.now();
  return params.db!.transaction(async (tx) => {
    // One account change at a time: the count of active admins below stays true until commit.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('pairwise:accounts'))`);
    const before = await row<{ role: 'voter' | 'admin'; disabledAt: number | null; disabledReason: string | null }>(
      tx,
      sql`SELECT role, disabled_at AS "disabledAt", disabled_reason AS "disabledReason" FROM users WHERE id = ${params.userId} FOR UPDATE`,
    );
    if (!before) throw new AppError('not_found', 'No account with this id.');
    const after = { ...before };
    if (params.role !== undefined) after.role = params.role;
    if (params.disabled !== undefined) {
      after.disabledAt = params.disabled ? (before.disabledAt ?? now) : null;
      after.disabledReason = params.disabled ? (params.reason ?? null) : null;
    }
    const wasActiveAdmin = before.role === 'admin' && before.disabledAt === null;
    const staysActiveAdmin = after.role === 'admin' && after.disabledAt === null;
    if (wasActiveAdmin && !staysActiveAdmin) {
      const admins = (await row<{ n: number }>(tx, sql`SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL`))!.n;
      if (admins <= 1) throw new AppError('conflict', 'This is the last active admin: make another account an admin first.');
    }
    await tx.execute(
      sql`UPDATE users SET role = ${after.role}, disabled_at = ${after.disabledAt}, disabled_reason = ${after.disabledReason} WHERE id = ${params.userId}`,
    );
    const disabledChanged = (before.disabledAt === null) !== (after.disabledAt === null);
    const changedVotes = disabledChanged ? await recomputeExclusionsIn(tx, { userId: params.userId }) : 0;
    const action =
      params.role !== undefined && params.role !== before.role
        ? 'account.role'
        : disabledChanged
          ? after.disabledAt === null
            ? 'account.enable'
            : 'account.disable'
          : 'account.update';
    await audit(tx, params.by, action, params.userId, before, { ...after, changedVotes }, now);
    return { changedVotes };
  });
}

export async function accountLabels(params: WithDb & { ids: string[] }): Promise<Map<string, string>> {
  const ids = [...new Set(params.ids)].slice(0, 500);
  if (ids.length === 0) return new Map();
  const found = await rows<{ id: string; label: string }>(
    params.db!,
    sql`SELECT id, coalesce(email, name, id) AS label FROM users WHERE id IN (${sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    )})`,
  );
  return new Map(found.map((r) => [r.id, r.label]));
}

export async function consoleCounts({ db }: WithDb = {}): Promise<{ voters: number; bannedVoters: number; accounts: number; admins: number }> {
  return (await row<{ voters: number; bannedVoters: number; accounts: number; admins: number }>(
    db!,
    sql`SELECT (SELECT count(*) FROM voters) AS voters,
               (SELECT count(*) FROM voters WHERE banned_at IS NOT NULL) AS "bannedVoters",
               (SELECT count(*) FROM users) AS accounts,
               (SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL) AS admins`,
  ))!;
}
