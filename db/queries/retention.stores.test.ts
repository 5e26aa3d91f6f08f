import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store';
import { execSql, getSql } from '../testing/raw-sql';
import { openTestStore, STORES, type TestStore } from '../testing/stores';
import { battleIdByShareToken, createBattle, finishTurn, getBattle, getBattleMessages, shareBattle, startTurn, supersedeTurn } from './battles';
import { expiredBattles, forgetConversations } from './retention';
import { castVote, getVote } from './votes';

describe.each(STORES)('retention on %s', (dialect) => {
  let store: TestStore;
  let db: Store;
  beforeEach(async () => {
    store = await openTestStore(dialect);
    db = store.db;
  });
  afterEach(() => store.close());

  async function battle(id: string, now: number, answers: [string, string][] = [['a', 'b']], opts: { studyId?: string; image?: boolean } = {}) {
    await createBattle({ db, id, modelA: 'x', modelB: 'y', mode: 'live', samplingProbability: 1, studyId: opts.studyId ?? null, vision: opts.image, now });
    for (const [i, [a, b]] of answers.entries()) {
      const images = opts.image ? [{ mediaType: 'image/png', data: Buffer.from([9]), sha256: 's' }] : [];
      const t = await startTurn({ db, battleId: id, prompt: `q${i}`, expectedTurns: i, images });
      await finishTurn({ db, battleId: id, status: 'active', answers: [{ id: t.answerIds.a!, result: { content: a, finishReason: 'stop' } }, { id: t.answerIds.b!, result: { content: b, finishReason: 'stop' } }] });
    }
  }
  const n = async (table: string) => (await getSql<{ n: number }>(db, sql`SELECT count(*) AS n FROM ${sql.raw(table)}`))!.n;

  it("lists old arena battles with messages, oldest first, each side's current answers as SQLite's JSON text", async () => {
    await battle('b1', 10, [
      ['first "a"\n\ttab', 'first b'],
      ['ünï €', 'back\\slash \u0001'],
    ]);
    // A regenerated answer is superseded: only the current one is listed.
    const re = await supersedeTurn({ db, battleId: 'b1', turn: 2 });
    await finishTurn({ db, battleId: 'b1', status: 'active', answers: [{ id: re.answerIds.a!, result: { content: 'new a', finishReason: 'stop' } }, { id: re.answerIds.b!, result: { content: 'new b', finishReason: 'stop' } }] });
    await battle('b0', 5);
    await castVote({ db, battleId: 'b0', winner: 'tie', voterId: null, leakReason: null });
    await battle('empty', 6, []);
    await battle('study', 7, [['s', 's']], { studyId: 'st1' });
    await battle('imported', 8);
    await execSql(db, sql`UPDATE battles SET source = 'import' WHERE id = 'imported'`);
    await battle('young', 1000);

    const expired = await expiredBattles({ db, before: 100, limit: 10 });
    expect(expired).toEqual([
      { id: 'b0', voted: true, answersA: '["a"]', answersB: '["b"]' },
      { id: 'b1', voted: false, answersA: '["first \\"a\\"\\n\\ttab","new a"]', answersB: '["first b","new b"]' },
    ]);
    expect(JSON.parse(expired[1].answersA)).toEqual(['first "a"\n\ttab', 'new a']);
    expect(await expiredBattles({ db, before: 100, limit: 1 })).toHaveLength(1);

    // Escapes as SQLite's json_group_array writes them, byte for byte.
    await battle('esc', 50, [['ünï €', 'back\\slash \u0001 \u001f \b\f\r']]);
    const esc = (await expiredBattles({ db, before: 100, limit: 10 })).find((b) => b.id === 'esc')!;
    expect(esc.answersA).toBe('["ünï €"]');
    expect(esc.answersB).toBe('["back\\\\slash \\u0001 \\u001f \\b\\f\\r"]');
  });

  it('a battle whose side has no current answer lists it as []', async () => {
    await createBattle({ db, id: 'streaming', modelA: 'x', modelB: 'y', mode: 'direct', samplingProbability: null, now: 1 });
    await startTurn({ db, battleId: 'streaming', prompt: 'q', expectedTurns: 0 });
    expect(await expiredBattles({ db, before: 100, limit: 10 })).toEqual([{ id: 'streaming', voted: false, answersA: '[""]', answersB: '[]' }]);
  });

  it('forgets voted conversations but keeps their battles, votes and style; deletes unvoted battles whole', async () => {
    await battle('v1', 1, [['a', 'b']], { image: true });
    await castVote({ db, battleId: 'v1', winner: 'model_a', voterId: null, leakReason: null });
    await shareBattle({ db, battleId: 'v1', token: 't-v1' });
    await battle('v2', 2);
    await castVote({ db, battleId: 'v2', winner: 'model_b', voterId: null, leakReason: null });
    await execSql(db, sql`UPDATE battles SET style_features = 'kept' WHERE id = 'v2'`);
    await battle('u1', 3, [['a', 'b']], { image: true });
    await shareBattle({ db, battleId: 'u1', token: 't-u1' });
    await battle('other', 4);

    await forgetConversations({ db, voted: [{ id: 'v1', styleFeatures: '{"a":1}' }, { id: 'v2', styleFeatures: '{"a":2}' }], unvoted: ['u1'] });
    expect(await getBattle({ db, id: 'v1' })).toMatchObject({ styleFeatures: '{"a":1}', shareToken: null, status: 'voted' });
    // A style already stored stays.
    expect((await getBattle({ db, id: 'v2' }))!.styleFeatures).toBe('kept');
    expect(await getVote({ db, battleId: 'v1' })).not.toBeNull();
    expect(await getBattleMessages({ db, battleId: 'v1' })).toEqual([]);
    expect(await battleIdByShareToken({ db, token: 't-v1' })).toBeNull();
    expect(await getBattle({ db, id: 'u1' })).toBeNull();
    expect(await battleIdByShareToken({ db, token: 't-u1' })).toBeNull();
    expect(await n('battle_images')).toBe(0);
    expect((await getBattleMessages({ db, battleId: 'other' })).length).toBe(4);
    expect(await expiredBattles({ db, before: 100, limit: 10 })).toEqual([{ id: 'other', voted: false, answersA: '["a"]', answersB: '["b"]' }]);
    // Nothing to do is fine.
    await forgetConversations({ db, voted: [], unvoted: [] });
  });

  it('an "unvoted" battle that got its vote meanwhile keeps battle and vote; two runs at once do the same work once', async () => {
    await battle('late', 1);
    const [expired] = await expiredBattles({ db, before: 100, limit: 10 });
    expect(expired.voted).toBe(false);
    await castVote({ db, battleId: 'late', winner: 'tie', voterId: null, leakReason: null });
    await battle('gone', 2);
    await Promise.all([
      forgetConversations({ db, voted: [], unvoted: ['late', 'gone'] }),
      forgetConversations({ db, voted: [], unvoted: ['gone', 'late'] }),
    ]);
    expect(await getBattle({ db, id: 'late' })).not.toBeNull();
    expect(await getVote({ db, battleId: 'late' })).not.toBeNull();
    expect(await getBattle({ db, id: 'gone' })).toBeNull();
    expect(await n('messages')).toBe(0);
  });
});
