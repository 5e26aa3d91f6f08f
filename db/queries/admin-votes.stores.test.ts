import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store';
import { allSql, execSql } from '../testing/raw-sql';
import { openTestStore, STORES, type TestStore } from '../testing/stores';
import { getVoteRow, getVoteRowByBattle, listVotes, moderateVote, type VoteCursor, type VoteFilter, type VoteListRow } from './admin-votes';
import { createBattle } from './battles';
import { recomputeExclusions } from './exclusions';
import { ratingsInputStamp } from './ratings-input';
import { castVote } from './votes';

/**
 * 30 battles over 3 days among 3 models by 3 voters (several started at the same millisecond, so
 * that the keyset's tie-break is exercised), some imported, some excluded.
 */
const T0 = Date.UTC(2025, 0, 10);
const DAY = 86_400_000;
const MODELS = ['m-a', 'm-b', 'm-c'];

describe.each(STORES)('the vote browser on %s', (dialect) => {
  let store: TestStore;
  let db: Store;
  beforeAll(async () => {
    store = await openTestStore(dialect);
    db = store.db;
    await execSql(db, sql`INSERT INTO voters (id, network, created_at, last_seen_at) VALUES ('voter-0', NULL, 1, 1), ('voter-1', NULL, 1, 1), ('voter-2', NULL, 1, 1)`);
    for (let k = 0; k < 30; k++) {
      const id = `b-${String(k).padStart(2, '0')}`;
      const voterId = `voter-${k % 3}`;
      // Pairs of battles share their start time.
      const now = T0 + Math.floor(k / 10) * DAY + Math.floor(k / 2) * 1000;
      await createBattle({ db, id, modelA: MODELS[k % 3], modelB: MODELS[(k + 1) % 3], mode: 'live', samplingProbability: 1, voterId, userId: k % 3 === 1 ? 'user-1' : null, now });
      await execSql(db, sql`INSERT INTO messages (battle_id, side, turn, role, content, created_at) VALUES (${id}, 'a', 1, 'user', ${`Prompt ${k} ${'y'.repeat(300)}`}, ${now})`);
      await castVote({ db, battleId: id, winner: k % 4 === 0 ? 'tie' : 'model_a', voterId, leakReason: k % 7 === 3 ? 'identity_leak: m-a' : null, now: now + 500 });
    }
    await execSql(db, sql`UPDATE battles SET source = 'import' WHERE id IN ('b-20', 'b-21', 'b-22')`);
    await execSql(db, sql`UPDATE voters SET banned_at = 1 WHERE id = 'voter-2'`);
    await recomputeExclusions({ db, scope: { voterId: 'voter-2' } });
  });
  afterAll(() => store.close());

  let all: VoteListRow[];
  beforeAll(async () => {
    all = (await listVotes({ db, filter: {}, limit: 100 })).rows;
  });

  async function walk(filter: VoteFilter, limit: number): Promise<VoteListRow[]> {
    const out: VoteListRow[] = [];
    let cursor: VoteCursor | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const page: { rows: VoteListRow[]; next: VoteCursor | null } = await listVotes({ db, filter, cursor, limit });
      out.push(...page.rows);
      if (!page.next) return out;
      expect(page.rows).toHaveLength(limit);
      cursor = page.next;
    }
    throw new Error('no last page');
  }

  it('lists every vote newest battle first, battles of one moment latest written first, and pages through them', async () => {
    expect(all.map((r) => r.battleId)).toEqual(Array.from({ length: 30 }, (_, k) => `b-${String(29 - k).padStart(2, '0')}`));
    for (const limit of [1, 4, 7, 30]) expect((await walk({}, limit)).map((r) => r.voteId)).toEqual(all.map((r) => r.voteId));
    expect(await listVotes({ db, filter: {}, limit: 30 })).toMatchObject({ next: null });
  });

  it('returns the row of a vote with its battle facts and a short excerpt', async () => {
    const k = 3;
    const row = all.find((r) => r.battleId === 'b-03')!;
    expect(row).toEqual({
      voteId: expect.any(Number),
      battleId: 'b-03',
      winner: 'model_a',
      votedAt: T0 + 1000 + 500,
      battleAt: T0 + 1000,
      modelA: 'm-a',
      modelB: 'm-b',
      source: 'arena',
      mode: 'live',
      turns: 0,
      voterId: 'voter-0',
      userId: null,
      judge: null,
      excludedReason: 'identity_leak: m-a',
      leakReason: 'identity_leak: m-a',
      moderation: null,
      moderationNote: null,
      moderatedBy: null,
      moderatedAt: null,
      excerpt: `Prompt ${k} ${'y'.repeat(300)}`.slice(0, 161),
    });
    expect(await getVoteRow({ db, voteId: row.voteId })).toEqual(row);
    expect(await getVoteRowByBattle({ db, battleId: 'b-03' })).toEqual(row);
    expect(await getVoteRow({ db, voteId: 999_999 })).toBeNull();
    expect(await getVoteRowByBattle({ db, battleId: 'nope' })).toBeNull();
  });

  const cases: [string, VoteFilter, (r: VoteListRow) => boolean][] = [
    ['a model, on either side', { model: 'm-b' }, (r) => r.modelA === 'm-b' || r.modelB === 'm-b'],
    ['a model and a voter', { model: 'm-a', voterId: 'voter-1' }, (r) => (r.modelA === 'm-a' || r.modelB === 'm-a') && r.voterId === 'voter-1'],
    ['a voter', { voterId: 'voter-0' }, (r) => r.voterId === 'voter-0'],
    ['an account', { userId: 'user-1' }, (r) => r.userId === 'user-1'],
    ['a time range', { from: T0 + DAY, to: T0 + 2 * DAY }, (r) => r.battleAt >= T0 + DAY && r.battleAt < T0 + 2 * DAY],
    ['imports', { source: 'import' }, (r) => r.source === 'import'],
    ['the arena', { source: 'arena' }, (r) => r.source === 'arena'],
    ['counted votes', { reason: 'counted' }, (r) => r.excludedReason === null],
    ['excluded votes', { reason: 'excluded' }, (r) => r.excludedReason !== null],
    ['a reason with details', { reason: 'identity_leak' }, (r) => r.excludedReason?.startsWith('identity_leak:') === true],
    ['a reason without', { reason: 'banned' }, (r) => r.excludedReason === 'banned'],
    ['a reason that is only a prefix', { reason: 'identity' }, () => false],
    ['a model among the excluded', { model: 'm-c', reason: 'excluded' }, (r) => (r.modelA === 'm-c' || r.modelB === 'm-c') && r.excludedReason !== null],
  ];

  it.each(cases)('filters by %s, page after page', async (_name, filter, match) => {
    const expected = all.filter(match).map((r) => r.voteId);
    for (const limit of [2, 5, 100]) expect((await walk(filter, limit)).map((r) => r.voteId)).toEqual(expected);
  });

  it('the filters select what the setup made', () => {
    expect(all.filter((r) => r.excludedReason === 'banned')).toHaveLength(10);
    expect(all.filter((r) => r.excludedReason?.startsWith('identity_leak'))).toHaveLength(3);
    expect(all.filter((r) => r.source === 'import')).toHaveLength(3);
  });

  describe('moderation', () => {
    const audit = () =>
      allSql<{ actor: string; action: string; target: string; before: string; after: string; at: number }>(
        db,
        sql`SELECT actor_user_id AS actor, action, target, before, after, created_at AS at FROM audit_log ORDER BY id`,
      );

    it('excludes, restores and clears a vote, recomputing its reason, bumping the ratings input and writing the audit', async () => {
      const voteId = all.find((r) => r.battleId === 'b-00')!.voteId;
      const logged = (await audit()).length;
      const s0 = await ratingsInputStamp({ db });

      const ex = await moderateVote({ db, voteId, action: 'exclude', note: 'spam', by: 'admin-1', now: 77 });
      expect(ex.before).toMatchObject({ voteId, excludedReason: null, moderation: null });
      expect(ex.after).toMatchObject({ voteId, excludedReason: 'moderated: spam', moderation: 'exclude', moderationNote: 'spam', moderatedBy: 'admin-1', moderatedAt: 77 });
      expect(await getVoteRow({ db, voteId })).toEqual(ex.after);
      expect((await ratingsInputStamp({ db })).version).toBe(s0.version + 1);
      const [entry] = (await audit()).slice(logged);
      expect(entry).toEqual({
        actor: 'admin-1',
        action: 'vote.exclude',
        target: String(voteId),
        before: JSON.stringify({ battle: 'b-00', moderation: null, note: null, excludedReason: null }),
        after: JSON.stringify({ battle: 'b-00', moderation: 'exclude', note: 'spam', excludedReason: 'moderated: spam' }),
        at: 77,
      });
      expect((await walk({ reason: 'moderated' }, 10)).map((r) => r.voteId)).toEqual([voteId]);

      const cleared = await moderateVote({ db, voteId, action: 'clear', note: null, by: 'admin-1' });
      expect(cleared.after).toMatchObject({ excludedReason: null, moderation: null, moderationNote: null, moderatedBy: null, moderatedAt: null });
      expect((await ratingsInputStamp({ db })).version).toBe(s0.version + 2);

      // A banned voter's vote restored counts; cleared, the ban excludes it again.
      const banned = all.find((r) => r.excludedReason === 'banned')!;
      const restored = await moderateVote({ db, voteId: banned.voteId, action: 'restore', note: null, by: 'admin-2', now: 88 });
      expect(restored.after).toMatchObject({ excludedReason: null, moderation: 'restore', moderatedBy: 'admin-2', moderatedAt: 88 });
      expect((await moderateVote({ db, voteId: banned.voteId, action: 'clear', note: null, by: 'admin-2' })).after.excludedReason).toBe('banned');
      expect((await audit()).slice(logged).map((e) => e.action)).toEqual(['vote.exclude', 'vote.clear', 'vote.restore', 'vote.clear']);
    });

    it('a decision that changes nothing counted does not bump the ratings input', async () => {
      const voteId = all.find((r) => r.battleId === 'b-01')!.voteId;
      const s0 = await ratingsInputStamp({ db });
      // Restoring a counted vote: its reason stays null.
      await moderateVote({ db, voteId, action: 'restore', note: null, by: 'admin-1' });
      expect(await ratingsInputStamp({ db })).toEqual(s0);
      await moderateVote({ db, voteId, action: 'clear', note: null, by: 'admin-1' });
    });

    it('refuses a vote that does not exist', async () => {
      await expect(moderateVote({ db, voteId: 999_999, action: 'exclude', note: null, by: 'admin-1' })).rejects.toMatchObject({ code: 'not_found' });
    });

    it("two operators' decisions on one vote at once apply one after the other", async () => {
      const voteId = all.find((r) => r.battleId === 'b-04')!.voteId;
      const logged = (await audit()).length;
      const results = await Promise.all([
        moderateVote({ db, voteId, action: 'exclude', note: 'first', by: 'admin-1' }),
        moderateVote({ db, voteId, action: 'exclude', note: 'second', by: 'admin-2' }),
      ]);
      const entries = (await audit()).slice(logged);
      expect(entries).toHaveLength(2);
      // The second entry's "before" is what the first left.
      expect(entries[1].before).toBe(entries[0].after);
      const last = results.find((r) => r.after.moderationNote === JSON.parse(entries[1].after).note)!;
      expect(await getVoteRow({ db, voteId })).toEqual(last.after);
      expect(last.before.moderation).toBe('exclude');
    });
  });
});
