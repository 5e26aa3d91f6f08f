import { z } from 'zod';
import { getAccountRow, getVoterRow, listAccounts, listVoters, setVoterBan, setVoterTrustOverride, updateAccount, type AccountRow, type VoterRow } from '../../db/queries/admin-voters';
import { createInvite, listInvites, revokeInvite } from '../../db/queries/users';
import { recordAudit } from '../../db/queries/audit';
import type { Invite } from '../../db/schema';
import { AppError } from '../errors';
import { hashInviteToken, newInviteToken } from '../identity/accounts';
import { decodeCursor, encodeCursor } from './cursor';
import type { Operator } from './deps';

/**
 * Voters (browsers that took part), accounts and invite links. A ban excludes every vote of the
 * voter, past and future, with the reason "banned"; disabling an account does the same for its
 * votes and refuses its session from the next request on (lib/identity/session.ts re-reads it).
 */

export const PAGE_SIZE = 50;

const seenCursor = z.object({ t: z.number(), id: z.string() });

export const voterQuerySchema = z.strictObject({
  banned: z.enum(['1', '0']).optional(),
  voter: z.string().trim().max(100).optional(),
  cursor: z.string().max(300).optional(),
});

export async function browseVoters(q: z.infer<typeof voterQuerySchema>, limit = PAGE_SIZE): Promise<{ rows: VoterRow[]; next: string | null }> {
  const page = await listVoters({
    limit,
    cursor: q.cursor ? decodeCursor(q.cursor, seenCursor) : null,
    ...(q.banned ? { banned: q.banned === '1' } : {}),
    ...(q.voter ? { id: q.voter } : {}),
  });
  return { rows: page.rows, next: page.next ? encodeCursor(page.next) : null };
}

export const banSchema = z
  .strictObject({
    voterId: z.string().min(1).max(100),
    banned: z.boolean(),
    reason: z.string().trim().max(500).optional(),
  })
  .refine((b) => !b.banned || (b.reason ?? '').length > 0, { message: 'say why the voter is banned', path: ['reason'] });

export async function banVoter(by: Operator, input: z.infer<typeof banSchema>): Promise<{ voter: VoterRow; changedVotes: number }> {
  const { changedVotes } = await setVoterBan({ voterId: input.voterId, banned: input.banned, reason: input.reason || null, by: by.id });
  return { voter: (await getVoterRow({ id: input.voterId }))!, changedVotes };
}

export const trustOverrideSchema = z.strictObject({
  voterId: z.string().min(1).max(100),
  override: z.enum(['trusted', 'untrusted']).nullable(),
});

/** Overrides the trust pass for one voter (or hands the decision back to it); its votes follow at once. */
export async function overrideVoterTrust(
  by: Operator,
  input: z.infer<typeof trustOverrideSchema>,
): Promise<{ voter: VoterRow; changedVotes: number }> {
  const { changedVotes } = await setVoterTrustOverride({ voterId: input.voterId, override: input.override, by: by.id });
  return { voter: (await getVoterRow({ id: input.voterId }))!, changedVotes };
}

export const accountQuerySchema = z.strictObject({
  q: z.string().trim().max(200).optional(),
  role: z.enum(['voter', 'admin']).optional(),
  cursor: z.string().max(300).optional(),
});

export async function browseAccounts(q: z.infer<typeof accountQuerySchema>, limit = PAGE_SIZE): Promise<{ rows: AccountRow[]; next: string | null }> {
  const page = await listAccounts({
    limit,
    cursor: q.cursor ? decodeCursor(q.cursor, seenCursor) : null,
    ...(q.q ? { q: q.q } : {}),
    ...(q.role ? { role: q.role } : {}),
  });
  return { rows: page.rows, next: page.next ? encodeCursor(page.next) : null };
}

export const accountChangeSchema = z
  .strictObject({
    userId: z.string().min(1).max(100),
    role: z.enum(['voter', 'admin']).optional(),
    disabled: z.boolean().optional(),
    reason: z.string().trim().max(500).optional(),
  })
  .refine((b) => b.role !== undefined || b.disabled !== undefined, { message: 'change the role or the disabled state' });

export async function changeAccount(by: Operator, input: z.infer<typeof accountChangeSchema>): Promise<{ account: AccountRow; changedVotes: number }> {
  if (input.userId === by.id && input.disabled === true) {
    throw new AppError('conflict', 'You cannot disable your own account.');
  }
  const { changedVotes } = await updateAccount({
    userId: input.userId,
    role: input.role,
    disabled: input.disabled,
    reason: input.reason || null,
    by: by.id,
  });
  return { account: (await getAccountRow({ id: input.userId }))!, changedVotes };
}

// --- invites -----------------------------------------------------------------------------

export interface InviteView {
  id: number;
  note: string | null;
  createdAt: number;
  expiresAt: number | null;
  maxUses: number | null;
  uses: number;
  revokedAt: number | null;
  state: 'active' | 'revoked' | 'expired' | 'used up';
}

function inviteView(i: Invite, now = Date.now()): InviteView {
  const state =
    i.revokedAt !== null
      ? 'revoked'
      : i.expiresAt !== null && i.expiresAt <= now
        ? 'expired'
        : i.maxUses !== null && i.uses >= i.maxUses
          ? 'used up'
          : 'active';
  return { id: i.id, note: i.note, createdAt: i.createdAt, expiresAt: i.expiresAt, maxUses: i.maxUses, uses: i.uses, revokedAt: i.revokedAt, state };
}

export async function listInviteLinks(): Promise<InviteView[]> {
  return (await listInvites()).map((i) => inviteView(i));
}

export const inviteSchema = z.strictObject({
  note: z.string().trim().max(200).optional(),
  maxUses: z.int().positive().max(100_000).nullable().optional(),
  expiresInDays: z.int().positive().max(3650).nullable().optional(),
});

/**
 * A new invite link. The token is shown this once (only its hash is stored), as the path of the
 * sign-up page with the invite.
 */
export async function createInviteLink(by: Operator, input: z.infer<typeof inviteSchema>): Promise<{ invite: InviteView; path: string }> {
  const token = newInviteToken();
  const now = Date.now();
  const invite = await createInvite({
    tokenHash: hashInviteToken(token),
    note: input.note || null,
    createdBy: by.id,
    maxUses: input.maxUses ?? null,
    expiresAt: input.expiresInDays ? now + input.expiresInDays * 86_400_000 : null,
    now,
  });
  await recordAudit({ actorUserId: by.id, action: 'invite.create', target: String(invite.id), after: { note: invite.note, maxUses: invite.maxUses, expiresAt: invite.expiresAt } });
  return { invite: inviteView(invite, now), path: `/signup?invite=${encodeURIComponent(token)}` };
}

export const revokeSchema = z.strictObject({ id: z.int().positive() });

export async function revokeInviteLink(by: Operator, id: number): Promise<InviteView> {
  const before = (await listInvites()).find((i) => i.id === id);
  if (!before) throw new AppError('not_found', 'No invite with this id.');
  const after = before.revokedAt === null ? await revokeInvite({ id }) : before;
  await recordAudit({ actorUserId: by.id, action: 'invite.revoke', target: String(id), before: inviteView(before), after: inviteView(after!) });
  return inviteView(after!);
}
