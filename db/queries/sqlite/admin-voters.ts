import { AppError } from '../../../lib/errors';
import { getDb, type Db } from '../../index';
import { recomputeExclusionsSync } from './exclusions';

/**
 * The console's voters (browsers that took part) and accounts. Lists are keyset-paginated, newest
 * activity first; counts are per row of the page (index lookups), never over the whole table. A
 * ban, a disabled account or a role change writes its audit entry and recomputes the votes it
 * touches in the same transaction.
 */

type WithDb = { db?: Db };

export interface VoterRow {
  id: string;
  userId: string | null;
  userEmail: string | null;
  firstSeenAt: number;
  lastSeenAt: number;
  bannedAt: number | null;
  banReason: string | null;
  trust: number | null;
  trustFlag: string | null;
  trustOverride: 'trusted' | 'untrusted' | null;
  votes: number;
  excludedVotes: number;
}

export interface SeenCursor {
  t: number;
  id: string;
}

const VOTER_COLUMNS = `
  vr.id, vr.user_id AS userId, u.email AS userEmail, vr.created_at AS firstSeenAt, vr.last_seen_at AS lastSeenAt,
  vr.banned_at AS bannedAt, vr.ban_reason AS banReason, vr.trust, vr.trust_flag AS trustFlag,
  vr.trust_override AS trustOverride,
  (SELECT count(*) FROM votes v WHERE v.voter_id = vr.id) AS votes,
  (SELECT count(*) FROM votes v WHERE v.voter_id = vr.id AND v.excluded_reason IS NOT NULL) AS excludedVotes`;

/** Voters, most recently seen first; `banned` keeps only banned (true) or only unbanned (false) ones. */
export async function listVoters(
  params: WithDb & { cursor?: SeenCursor | null; limit: number; banned?: boolean; id?: string },
): Promise<{ rows: VoterRow[]; next: SeenCursor | null }> {
  const db = params.db ?? getDb();
  const parts: string[] = [];
  const args: unknown[] = [];
  if (params.id) {
    parts.push('vr.id = ?');
    args.push(params.id);
  }
  if (params.banned === true) parts.push('vr.banned_at IS NOT NULL');
  if (params.banned === false) parts.push('vr.banned_at IS NULL');
  if (params.cursor) {
    parts.push('vr.last_seen_at <= ? AND (vr.last_seen_at < ? OR vr.id < ?)');
    args.push(params.cursor.t, params.cursor.t, params.cursor.id);
  }
  const rows = db.$client
    .prepare(
      `SELECT ${VOTER_COLUMNS} FROM voters vr LEFT JOIN users u ON u.id = vr.user_id
        ${parts.length ? `WHERE ${parts.join(' AND ')}` : ''}
        ORDER BY vr.last_seen_at DESC, vr.id DESC LIMIT ${params.limit + 1}`,
    )
    .all(...args) as VoterRow[];
  const more = rows.length > params.limit;
  const page = rows.slice(0, params.limit);
  const last = page.at(-1);
  return { rows: page, next: more && last ? { t: last.lastSeenAt, id: last.id } : null };
}

export async function getVoterRow(params: WithDb & { id: string }): Promise<VoterRow | null> {
  const db = params.db ?? getDb();
  return (
    (db.$client.prepare(`SELECT ${VOTER_COLUMNS} FROM voters vr LEFT JOIN users u ON u.id = vr.user_id WHERE vr.id = ?`).get(params.id) as
      | VoterRow
      | undefined) ?? null
  );
}

function audit(c: Db['$client'], by: string, action: string, target: string, before: unknown, after: unknown, now: number): void {
  c.prepare('INSERT INTO audit_log (actor_user_id, action, target, before, after, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    by,
    action,
    target,
    JSON.stringify(before),
    JSON.stringify(after),
    now,
  );
}

/** Bans (or unbans) a voter: its votes, past and future, are excluded as 'banned'. Returns how many votes changed. */
export async function setVoterBan(
  params: WithDb & { voterId: string; banned: boolean; reason: string | null; by: string; now?: number },
): Promise<{ changedVotes: number }> {
  const db = params.db ?? getDb();
  const c = db.$client;
  const now = params.now ?? Date.now();
  return c.transaction(() => {
    const before = c.prepare('SELECT banned_at AS bannedAt, ban_reason AS banReason FROM voters WHERE id = ?').get(params.voterId) as
      | { bannedAt: number | null; banReason: string | null }
      | undefined;
    if (!before) throw new AppError('not_found', 'No voter with this id.');
    const after = params.banned ? { bannedAt: before.bannedAt ?? now, banReason: params.reason } : { bannedAt: null, banReason: null };
    c.prepare('UPDATE voters SET banned_at = ?, ban_reason = ? WHERE id = ?').run(after.bannedAt, after.banReason, params.voterId);
    const changedVotes = recomputeExclusionsSync(c, { voterId: params.voterId });
    audit(c, params.by, params.banned ? 'voter.ban' : 'voter.unban', params.voterId, before, { ...after, changedVotes }, now);
    return { changedVotes };
  })();
}

/**
 * An operator's word on a voter's trust: 'trusted' (trust flags never exclude its votes),
 * 'untrusted' (its votes are excluded as "low_trust: operator"), or null (the trust pass decides).
 */
export async function setVoterTrustOverride(
  params: WithDb & { voterId: string; override: 'trusted' | 'untrusted' | null; by: string; now?: number },
): Promise<{ changedVotes: number }> {
  const db = params.db ?? getDb();
  const c = db.$client;
  const now = params.now ?? Date.now();
  return c.transaction(() => {
    const before = c.prepare('SELECT trust_override AS trustOverride FROM voters WHERE id = ?').get(params.voterId) as
      | { trustOverride: string | null }
      | undefined;
    if (!before) throw new AppError('not_found', 'No voter with this id.');
    c.prepare('UPDATE voters SET trust_override = ? WHERE id = ?').run(params.override, params.voterId);
    const changedVotes = recomputeExclusionsSync(c, { voterId: params.voterId });
    audit(c, params.by, 'voter.trust', params.voterId, before, { trustOverride: params.override, changedVotes }, now);
    return { changedVotes };
  })();
}

// --- accounts ------------------------------------------------------------------------------

export interface AccountRow {
  id: string;
  email: string | null;
  name: string | null;
  role: 'voter' | 'admin';
  createdAt: number;
  lastSignInAt: number | null;
  disabledAt: number | null;
  disabledReason: string | null;
  battles: number;
}

export interface CreatedCursor {
  t: number;
  id: string;
}

const ACCOUNT_COLUMNS = `
  u.id, u.email, u.name, u.role, u.created_at AS createdAt, u.last_sign_in_at AS lastSignInAt,
  u.disabled_at AS disabledAt, u.disabled_reason AS disabledReason,
  (SELECT count(*) FROM battles b WHERE b.user_id = u.id) AS battles`;

/** Accounts, newest first; `q` keeps those whose email or name contains it. */
export async function listAccounts(
  params: WithDb & { cursor?: CreatedCursor | null; limit: number; q?: string; role?: 'voter' | 'admin' },
): Promise<{ rows: AccountRow[]; next: CreatedCursor | null }> {
  const db = params.db ?? getDb();
  const parts: string[] = [];
  const args: unknown[] = [];
  if (params.q) {
    parts.push("(instr(lower(coalesce(u.email, '')), ?) > 0 OR instr(lower(coalesce(u.name, '')), ?) > 0)");
    args.push(params.q.toLowerCase(), params.q.toLowerCase());
  }
  if (params.role) {
    parts.push('u.role = ?');
    args.push(params.role);
  }
  if (params.cursor) {
    parts.push('u.created_at <= ? AND (u.created_at < ? OR u.id < ?)');
    args.push(params.cursor.t, params.cursor.t, params.cursor.id);
  }
  const rows = db.$client
    .prepare(
      `SELECT ${ACCOUNT_COLUMNS} FROM users u ${parts.length ? `WHERE ${parts.join(' AND ')}` : ''}
        ORDER BY u.created_at DESC, u.id DESC LIMIT ${params.limit + 1}`,
    )
    .all(...args) as AccountRow[];
  const more = rows.length > params.limit;
  const page = rows.slice(0, params.limit);
  const last = page.at(-1);
  return { rows: page, next: more && last ? { t: last.createdAt, id: last.id } : null };
}

export async function getAccountRow(params: WithDb & { id: string }): Promise<AccountRow | null> {
  const db = params.db ?? getDb();
  return (db.$client.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM users u WHERE u.id = ?`).get(params.id) as AccountRow | undefined) ?? null;
}

function activeAdmins(c: Db['$client']): number {
  return (c.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL").get() as { n: number }).n;
}

/**
 * Changes an account's role or disabled state. The last active admin can be neither demoted nor
 * disabled, so the console cannot lock everyone out. Disabling excludes the account's votes as
 * 'banned' (and the session check refuses it from the next request on); enabling counts them again.
 */
export async function updateAccount(
  params: WithDb & { userId: string; role?: 'voter' | 'admin'; disabled?: boolean; reason?: string | null; by: string; now?: number },
): Promise<{ changedVotes: number }> {
  const db = params.db ?? getDb();
  const c = db.$client;
  const now = params.now ?? Date.now();
  return c.transaction(() => {
    const before = c
      .prepare('SELECT role, disabled_at AS disabledAt, disabled_reason AS disabledReason FROM users WHERE id = ?')
      .get(params.userId) as { role: 'voter' | 'admin'; disabledAt: number | null; disabledReason: string | null } | undefined;
    if (!before) throw new AppError('not_found', 'No account with this id.');
    const after = { ...before };
    if (params.role !== undefined) after.role = params.role;
    if (params.disabled !== undefined) {
      after.disabledAt = params.disabled ? (before.disabledAt ?? now) : null;
      after.disabledReason = params.disabled ? (params.reason ?? null) : null;
    }
    const wasActiveAdmin = before.role === 'admin' && before.disabledAt === null;
    const staysActiveAdmin = after.role === 'admin' && after.disabledAt === null;
    if (wasActiveAdmin && !staysActiveAdmin && activeAdmins(c) <= 1) {
      throw new AppError('conflict', 'This is the last active admin: make another account an admin first.');
    }
    c.prepare('UPDATE users SET role = ?, disabled_at = ?, disabled_reason = ? WHERE id = ?').run(
      after.role,
      after.disabledAt,
      after.disabledReason,
      params.userId,
    );
    const disabledChanged = (before.disabledAt === null) !== (after.disabledAt === null);
    const changedVotes = disabledChanged ? recomputeExclusionsSync(c, { userId: params.userId }) : 0;
    const action =
      params.role !== undefined && params.role !== before.role
        ? 'account.role'
        : disabledChanged
          ? after.disabledAt === null
            ? 'account.enable'
            : 'account.disable'
          : 'account.update';
    audit(c, params.by, action, params.userId, before, { ...after, changedVotes }, now);
    return { changedVotes };
  })();
}

/** Email (or name) of each account id given, for showing who did what. */
export async function accountLabels(params: WithDb & { ids: string[] }): Promise<Map<string, string>> {
  const db = params.db ?? getDb();
  const ids = [...new Set(params.ids)].slice(0, 500);
  if (ids.length === 0) return new Map();
  const rows = db.$client
    .prepare(`SELECT id, coalesce(email, name, id) AS label FROM users WHERE id IN (${ids.map(() => '?').join(',')})`)
    .all(...ids) as { id: string; label: string }[];
  return new Map(rows.map((r) => [r.id, r.label]));
}

/** Sizes for the console's overview (count(*) on small tables; voters are one row per browser). */
export async function consoleCounts({ db = getDb() }: WithDb = {}): Promise<{ voters: number; bannedVoters: number; accounts: number; admins: number }> {
  return db.$client
    .prepare(
      `SELECT (SELECT count(*) FROM voters) AS voters,
              (SELECT count(*) FROM voters WHERE banned_at IS NOT NULL) AS bannedVoters,
              (SELECT count(*) FROM users) AS accounts,
              (SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL) AS admins`,
    )
    .get() as { voters: number; bannedVoters: number; accounts: number; admins: number };
}
