import { z } from 'zod';
import { getBattle, getBattleMessages } from '../../db/queries/battles';
import { getVoteRowByBattle, listVotes, moderateVote, type VoteCursor, type VoteFilter, type VoteListRow } from '../../db/queries/admin-votes';
import { accountLabels } from '../../db/queries/admin-voters';
import { exclusionCounts } from '../../db/queries/exclusions';
import type { Battle, Message } from '../../db/schema';
import { AppError } from '../errors';
import { decodeCursor, encodeCursor } from './cursor';
import type { Operator } from './deps';

/**
 * The vote browser and moderation. Votes are never deleted: an operator excludes one (with a
 * note, stored as the reason "moderated: <note>") or restores it (it counts even when a rule
 * would exclude it). Lists carry a short prompt excerpt; the whole conversation is only on the
 * battle's own page.
 */

export const PAGE_SIZE = 50;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a date');

/** The browser's filters, as query parameters (the page and the API parse them alike). */
export const voteQuerySchema = z.strictObject({
  model: z.string().trim().max(200).optional(),
  voter: z.string().trim().max(100).optional(),
  account: z.string().trim().max(100).optional(),
  from: day.optional(),
  to: day.optional(),
  source: z.enum(['arena', 'import']).optional(),
  reason: z
    .string()
    .trim()
    .regex(/^[a-z_]{1,40}$/, 'a reason such as identity_leak, moderated, banned, low_trust, or counted / excluded')
    .optional(),
  cursor: z.string().max(200).optional(),
});
export type VoteQuery = z.infer<typeof voteQuerySchema>;

const cursorSchema = z.object({ t: z.number(), r: z.number().int() });

export function voteFilter(q: VoteQuery): VoteFilter {
  const startOf = (d: string) => Date.parse(`${d}T00:00:00Z`);
  const filter: VoteFilter = {
    ...(q.model ? { model: q.model } : {}),
    ...(q.voter ? { voterId: q.voter } : {}),
    ...(q.account ? { userId: q.account } : {}),
    ...(q.source ? { source: q.source } : {}),
    ...(q.reason ? { reason: q.reason } : {}),
    ...(q.from ? { from: startOf(q.from) } : {}),
    // "to" is the last day shown, so the range ends at the start of the next one.
    ...(q.to ? { to: startOf(q.to) + 86_400_000 } : {}),
  };
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) {
    throw new AppError('validation_failed', 'Invalid query parameter to: the range ends before it starts.');
  }
  return filter;
}

export interface VotePage {
  rows: (VoteListRow & { moderatedByLabel: string | null })[];
  /** Cursor of the next page (opaque), or null on the last one. */
  next: string | null;
  counts: { counted: number; excluded: Record<string, number> };
}

export async function browseVotes(q: VoteQuery, limit = PAGE_SIZE): Promise<VotePage> {
  const filter = voteFilter(q);
  const cursor: VoteCursor | null = q.cursor ? decodeCursor(q.cursor, cursorSchema) : null;
  const [page, counts] = await Promise.all([listVotes({ filter, cursor, limit }), exclusionCounts()]);
  const labels = await accountLabels({ ids: page.rows.map((r) => r.moderatedBy).filter((x): x is string => !!x) });
  return {
    rows: page.rows.map((r) => ({ ...r, moderatedByLabel: r.moderatedBy ? (labels.get(r.moderatedBy) ?? r.moderatedBy) : null })),
    next: page.next ? encodeCursor(page.next) : null,
    counts,
  };
}

export const moderationSchema = z
  .strictObject({
    voteId: z.int().positive(),
    action: z.enum(['exclude', 'restore', 'clear']),
    note: z.string().trim().max(500).optional(),
  })
  .refine((b) => b.action !== 'exclude' || (b.note ?? '').length > 0, { message: 'say why the vote is excluded', path: ['note'] });

export async function moderate(by: Operator, input: z.infer<typeof moderationSchema>): Promise<VoteListRow> {
  const { after } = await moderateVote({ voteId: input.voteId, action: input.action, note: input.note || null, by: by.id });
  return after;
}

export interface BattleDetail {
  battle: Battle;
  vote: VoteListRow | null;
  messages: Message[];
}

/** One battle with its vote and whole conversation (both sides), for the admin's battle page. */
export async function battleDetail(id: string): Promise<BattleDetail> {
  const battle = await getBattle({ id });
  if (!battle) throw new AppError('not_found', 'No battle with this id.');
  const [vote, messages] = await Promise.all([getVoteRowByBattle({ battleId: id }), getBattleMessages({ battleId: id })]);
  return { battle, vote, messages };
}
