import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDesign } from '../../lib/study/design';
import { closePostgres, openPostgres, type PgDb } from '../postgres';
import { isPostgres, type Store } from '../store';
import { openTestStore, STORES, type TestStore } from '../testing/stores';
import {
  assignNext,
  attachBattle,
  bindCodeParticipant,
  cellsLeftFor,
  CHECK_BROKEN,
  CHECK_SOUND,
  createCodeParticipants,
  currentSlot,
  findParticipant,
  getItem,
  getStudy,
  insertImportedJudgments,
  insertStudy,
  joinParticipant,
  listParticipants,
  listStudies,
  participantCounts,
  recordConsent,
  setParticipantExclusion,
  setStudyStatus,
  slotByBattle,
  slotProgress,
  studyItems,
  studyJudgmentRows,
  type NewStudy,
} from './studies';

/** The study queries (db/queries/studies.ts) give the same results on both stores, and hand out slots safely under concurrency. */

async function q<T = Record<string, unknown>>(db: Store, text: string, ...params: unknown[]): Promise<T[]> {
  if (isPostgres(db)) {
    let i = 0;
    return (await db.$client.query(text.replace(/\?/g, () => `$${++i}`), params)).rows as T[];
  }
  const st = db.$client.prepare(text);
  if (st.reader) return st.all(...params) as T[];
  st.run(...params);
  return [];
}

/** A battle judged in the study (the votes and battles modules are not what is tested here). */
async function judge(db: Store, battleId: string, studyId: string, winner = 'tie', at = 1_000): Promise<void> {
  await q(db, `INSERT INTO battles (id, model_a, model_b, mode, status, turns, study_id, created_at, updated_at) VALUES (?, 'x', 'y', 'recorded', 'voted', 1, ?, ?, ?)`, battleId, studyId, at, at);
  await q(db, `INSERT INTO votes (battle_id, winner, voter_id, created_at) VALUES (?, ?, 'v', ?)`, battleId, winner, at);
}

async function battleOnly(db: Store, battleId: string, studyId: string, at = 1_000): Promise<void> {
  await q(db, `INSERT INTO battles (id, model_a, model_b, mode, status, turns, study_id, created_at, updated_at) VALUES (?, 'x', 'y', 'recorded', 'active', 1, ?, ?, ?)`, battleId, studyId, at, at);
}

function designStudy(slug: string, opts: { items: number; models: string[]; judgmentsPerPair: number; checks?: number }): NewStudy {
  const design = buildDesign({ items: opts.items, models: opts.models.length, design: { kind: 'all-pairs' }, judgmentsPerPair: opts.judgmentsPerPair, seed: 9 });
  return {
    slug,
    title: slug.toUpperCase(),
    kind: 'native',
    status: 'open',
    access: 'anonymous',
    definition: '{"v":1}',
    createdBy: null,
    items: [
      ...Array.from({ length: opts.items }, (_, i) => ({ kind: 'item' as const, key: `q${i}`, text: `Question ${i}`, category: i % 2 ? 'odd' : null, check: null })),
      ...Array.from({ length: opts.checks ?? 0 }, (_, i) => ({ kind: 'check' as const, key: `c${i}`, text: `Check ${i}`, category: null, check: `{"n":${i}}` })),
    ],
    slots: design.slots.map((s) => ({
      kind: 'item' as const,
      cell: s.cell,
      item: design.cells[s.cell].item,
      position: s.position,
      modelA: opts.models[s.a],
      modelB: opts.models[s.b],
    })),
  };
}

const NO_CHECKS = { checks: 0, every: 0, quota: null };
const LEASE = 3_600_000;

describe.each(STORES)('studies on %s', (dialect) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await openTestStore(dialect);
  });
  afterEach(() => store.close());

  it('writes a study with its items and slots, reads it back, lists it with counts; a taken slug is a conflict', async () => {
    const db = store.db;
    const study = await insertStudy({ db, study: designStudy('first', { items: 3, models: ['a', 'b', 'c'], judgmentsPerPair: 2, checks: 1 }), now: 100 });
    expect(study).toEqual({
      id: expect.any(String),
      slug: 'first',
      title: 'FIRST',
      kind: 'native',
      status: 'open',
      access: 'anonymous',
      definition: '{"v":1}',
      createdBy: null,
      createdAt: 100,
      updatedAt: 100,
    });
    expect(await getStudy({ db, id: study.id })).toEqual(study);
    expect(await getStudy({ db, slug: 'nope' })).toBeNull();
    await expect(insertStudy({ db, study: designStudy('first', { items: 1, models: ['a', 'b'], judgmentsPerPair: 1 }) })).rejects.toMatchObject({ code: 'conflict' });
    // Nothing of the refused study stayed.
    expect((await q<{ n: number }>(db, 'SELECT count(*) AS n FROM study_items'))[0].n).toBe(4);

    const items = await studyItems({ db, studyId: study.id });
    expect(items.map((i) => [i.kind, i.key, i.position])).toEqual([
      ['check', 'c0', 3],
      ['item', 'q0', 0],
      ['item', 'q1', 1],
      ['item', 'q2', 2],
    ]);
    expect(items[0]).toEqual({ id: expect.any(Number), studyId: study.id, kind: 'check', key: 'c0', text: 'Check 0', category: null, check: '{"n":0}', position: 3 });
    expect(await getItem({ db, id: items[2].id })).toEqual(items[2]);
    expect(await getItem({ db, id: 999_999 })).toBeNull();

    // Each slot is on the item of its cell.
    const slots = await slotProgress({ db, studyId: study.id });
    expect(slots).toHaveLength(18); // 3 items x 3 pairs x 2
    const design = buildDesign({ items: 3, models: 3, design: { kind: 'all-pairs' }, judgmentsPerPair: 2, seed: 9 });
    for (const s of slots) expect(s.item).toBe(`q${design.cells[s.cell].item}`);

    const later = await insertStudy({ db, study: designStudy('second', { items: 1, models: ['a', 'b'], judgmentsPerPair: 1 }), now: 200 });
    const p = await joinParticipant({ db, studyId: study.id, userId: null, voterId: 'v1' });
    const a = await assignNext({ db, studyId: study.id, participant: p, policy: NO_CHECKS, checkItems: [], leaseMs: LEASE });
    expect('slot' in a && a.slot.position).toBe(0);
    if (!('slot' in a)) throw new Error('no slot');
    await attachBattle({ db, slotId: a.slot.id, participantId: p.id, battleId: 'b1' });
    await judge(db, 'b1', study.id);
    await setStudyStatus({ db, id: later.id, status: 'closed', now: 300 });
    expect(await listStudies({ db })).toEqual([
      { ...later, status: 'closed', updatedAt: 300, slots: 1, judged: 0, participants: 0 },
      { ...study, slots: 18, judged: 1, participants: 1 },
    ]);
  });

  it('numbers participants, finds them by account, browser, code or id, moves a code to a browser, records consent and exclusion', async () => {
    const db = store.db;
    const study = await insertStudy({ db, study: designStudy('people', { items: 1, models: ['a', 'b'], judgmentsPerPair: 1 }) });
    const studyId = study.id;
    const first = await joinParticipant({ db, studyId, userId: null, voterId: 'browser-1', now: 10 });
    expect(first).toEqual({
      id: expect.any(String),
      studyId,
      seq: 1,
      label: 'annotator-01',
      userId: null,
      voterId: 'browser-1',
      codeHash: null,
      note: null,
      consentedAt: null,
      joinedAt: 10,
      excludedAt: null,
      excludedReason: null,
      createdAt: 10,
    });
    expect(await joinParticipant({ db, studyId, userId: null, voterId: 'browser-1' })).toEqual(first);
    const account = await joinParticipant({ db, studyId, userId: 'user-1', voterId: 'browser-9', now: 20 });
    expect(account).toMatchObject({ seq: 2, label: 'annotator-02', userId: 'user-1', voterId: null });
    expect((await joinParticipant({ db, studyId, userId: 'user-1', voterId: 'browser-10' })).id).toBe(account.id);

    const coded = await createCodeParticipants({ db, studyId, codes: [{ codeHash: 'h1', note: 'Ann' }, { codeHash: 'h2', note: null }], now: 30 });
    expect(coded.map((p) => [p.seq, p.label, p.codeHash, p.note, p.joinedAt, p.createdAt])).toEqual([
      [3, 'annotator-03', 'h1', 'Ann', null, 30],
      [4, 'annotator-04', 'h2', null, null, 30],
    ]);
    expect(await findParticipant({ db, studyId, codeHash: 'h2' })).toEqual(coded[1]);
    expect(await findParticipant({ db, studyId, id: account.id })).toEqual(account);
    expect(await findParticipant({ db, studyId, userId: 'user-1' })).toEqual(account);
    expect(await findParticipant({ db, studyId, voterId: 'nobody' })).toBeNull();

    // A code used on a browser binds it; a second code on that browser takes it over.
    expect(await bindCodeParticipant({ db, studyId, codeHash: 'h1', voterId: 'browser-5', now: 40 })).toEqual({ ...coded[0], voterId: 'browser-5', joinedAt: 40 });
    expect(await bindCodeParticipant({ db, studyId, codeHash: 'h2', voterId: 'browser-5', now: 50 })).toMatchObject({ id: coded[1].id, voterId: 'browser-5', joinedAt: 50 });
    expect((await findParticipant({ db, studyId, id: coded[0].id }))!.voterId).toBeNull();
    expect(await findParticipant({ db, studyId, voterId: 'browser-5' })).toMatchObject({ id: coded[1].id });
    // Binding again keeps the first join time.
    expect(await bindCodeParticipant({ db, studyId, codeHash: 'h1', voterId: 'browser-6', now: 60 })).toMatchObject({ voterId: 'browser-6', joinedAt: 40 });
    expect(await bindCodeParticipant({ db, studyId, codeHash: 'unknown', voterId: 'browser-6' })).toBeNull();

    await recordConsent({ db, participantId: first.id, now: 70 });
    await recordConsent({ db, participantId: first.id, now: 80 });
    expect((await findParticipant({ db, studyId, id: first.id }))!.consentedAt).toBe(70);

    expect(await setParticipantExclusion({ db, studyId, label: 'annotator-02', reason: 'failed checks', now: 90 })).toEqual({
      ...account,
      excludedAt: 90,
      excludedReason: 'failed checks',
    });
    expect(await setParticipantExclusion({ db, studyId, label: 'annotator-02', reason: null })).toEqual(account);
    expect(await setParticipantExclusion({ db, studyId, label: 'annotator-99', reason: 'x' })).toBeNull();
    expect((await listParticipants({ db, studyId })).map((p) => p.label)).toEqual(['annotator-01', 'annotator-02', 'annotator-03', 'annotator-04']);
  });

  it('assigns the held slot, then checks when due, then open slots in order, until the quota; counts and progress', async () => {
    const db = store.db;
    const study = await insertStudy({ db, study: designStudy('assign', { items: 2, models: ['a', 'b', 'c'], judgmentsPerPair: 1, checks: 2 }) });
    const studyId = study.id;
    const checkItems = (await studyItems({ db, studyId })).filter((i) => i.kind === 'check').map((i) => i.id);
    const policy = { checks: 2, every: 2, quota: 4 };
    const p = await joinParticipant({ db, studyId, userId: null, voterId: 'v1' });
    const take = (now: number) => assignNext({ db, studyId, participant: p, policy, checkItems, leaseMs: LEASE, now });

    expect(await cellsLeftFor({ db, studyId, participantId: p.id, leaseMs: LEASE })).toBe(6);
    const kinds: string[] = [];
    const positions: (number | null)[] = [];
    for (let n = 1; ; n++) {
      const a = await take(1_000 + n);
      if ('done' in a) break;
      expect(a.resumed).toBe(false);
      // Asked again before judging: the same slot.
      expect(await take(5_000 + n)).toEqual({ slot: a.slot, resumed: true });
      expect(await currentSlot({ db, participantId: p.id })).toEqual(a.slot);
      kinds.push(a.slot.kind);
      positions.push(a.slot.position);
      expect(a.slot).toMatchObject({ studyId, participantId: p.id, battleId: null, assignedAt: 1_000 + n });
      if (a.slot.kind === 'check') {
        // Sides by the participant's number and the check's: what the check expects follows.
        expect([a.slot.modelA, a.slot.modelB].sort()).toEqual([CHECK_BROKEN, CHECK_SOUND]);
        expect(a.slot.expected).toBe(a.slot.modelA === CHECK_SOUND ? 'model_a' : 'model_b');
        expect(a.slot.cell).toBeLessThan(0);
        expect(checkItems).toContain(a.slot.itemId);
      } else {
        expect(a.slot.expected).toBeNull();
      }
      expect(await attachBattle({ db, slotId: a.slot.id, participantId: p.id, battleId: `b${n}` })).toBe(true);
      expect(await attachBattle({ db, slotId: a.slot.id, participantId: 'someone-else', battleId: `x${n}` })).toBe(false);
      expect(await slotByBattle({ db, battleId: `b${n}` })).toEqual({ ...a.slot, battleId: `b${n}` });
      await judge(db, `b${n}`, studyId, 'model_a', 2_000 + n);
    }
    expect(kinds).toEqual(['item', 'item', 'check', 'item', 'item', 'check']);
    expect(positions.filter((x) => x !== null)).toEqual([0, 1, 2, 3]);
    expect(await participantCounts({ db, participantId: p.id })).toEqual({ itemsDone: 4, checksDone: 2 });
    expect(await currentSlot({ db, participantId: p.id })).toBeNull();
    expect(await cellsLeftFor({ db, studyId, participantId: p.id, leaseMs: LEASE })).toBe(2);
    expect(await slotByBattle({ db, battleId: 'nope' })).toBeNull();

    const progress = await slotProgress({ db, studyId });
    // Checks first (by kind), then the design slots in hand-out order; judged is 0 or 1.
    expect(progress.map((r) => [r.kind, r.judged, r.participant])).toEqual([
      ['check', 1, 'annotator-01'],
      ['check', 1, 'annotator-01'],
      ['item', 1, 'annotator-01'],
      ['item', 1, 'annotator-01'],
      ['item', 1, 'annotator-01'],
      ['item', 1, 'annotator-01'],
      ['item', 0, null],
      ['item', 0, null],
    ]);
    expect(progress[0]).toEqual({
      kind: 'check',
      cell: expect.any(Number),
      item: expect.stringMatching(/^c[01]$/),
      modelA: expect.any(String),
      modelB: expect.any(String),
      participant: 'annotator-01',
      judged: 1,
      winner: 'model_a',
      expected: expect.stringMatching(/^model_[ab]$/),
    });
    expect(progress[7]).toMatchObject({ judged: 0, winner: null, expected: null });
  });

  it('gives a slot held past its lease, and not judged, to someone else; never a cell twice', async () => {
    const db = store.db;
    const study = await insertStudy({ db, study: designStudy('lease', { items: 1, models: ['a', 'b'], judgmentsPerPair: 2 }) });
    const studyId = study.id;
    const p1 = await joinParticipant({ db, studyId, userId: null, voterId: 'v1' });
    const p2 = await joinParticipant({ db, studyId, userId: null, voterId: 'v2' });
    const p3 = await joinParticipant({ db, studyId, userId: null, voterId: 'v3' });
    const take = (p: { id: string; seq: number }, now: number) => assignNext({ db, studyId, participant: p, policy: NO_CHECKS, checkItems: [], leaseMs: 1_000, now });
    const a1 = await take(p1, 10);
    const a2 = await take(p2, 10);
    if (!('slot' in a1) || !('slot' in a2)) throw new Error('no slot');
    expect(a1.slot.id).not.toBe(a2.slot.id);
    await attachBattle({ db, slotId: a1.slot.id, participantId: p1.id, battleId: 'b1' });
    await battleOnly(db, 'b1', studyId);
    // Both slots are held; within the lease nobody else gets either.
    expect(await take(p3, 500)).toEqual({ done: true });
    expect(await cellsLeftFor({ db, studyId, participantId: p3.id, leaseMs: 1_000, now: 500 })).toBe(0);
    // p2 judges theirs; p1's runs out: p3 gets p1's slot, with no battle yet.
    await attachBattle({ db, slotId: a2.slot.id, participantId: p2.id, battleId: 'b2' });
    await judge(db, 'b2', studyId);
    expect(await cellsLeftFor({ db, studyId, participantId: p3.id, leaseMs: 1_000, now: 2_000 })).toBe(1);
    const a3 = await take(p3, 2_000);
    expect(a3).toEqual({ slot: { ...a1.slot, participantId: p3.id, battleId: null, assignedAt: 2_000 }, resumed: false });
    // p1 can no longer record a battle on it.
    expect(await attachBattle({ db, slotId: a1.slot.id, participantId: p1.id, battleId: 'b3' })).toBe(false);
    // p2 has had the only cell.
    expect(await take(p2, 5_000)).toEqual({ done: true });
  });

  it('reads judgments with their conversations as JSON text, and an imported study’s judgments', async () => {
    const db = store.db;
    const study = await insertStudy({ db, study: designStudy('report', { items: 1, models: ['a', 'b'], judgmentsPerPair: 1 }) });
    const p = await joinParticipant({ db, studyId: study.id, userId: null, voterId: 'v1' });
    await setParticipantExclusion({ db, studyId: study.id, label: p.label, reason: 'tired', now: 5 });
    const a = await assignNext({ db, studyId: study.id, participant: p, policy: NO_CHECKS, checkItems: [], leaseMs: LEASE, now: 100 });
    if (!('slot' in a)) throw new Error('no slot');
    await attachBattle({ db, slotId: a.slot.id, participantId: p.id, battleId: 'b1' });
    await judge(db, 'b1', study.id, 'model_b', 900);
    const msg = `INSERT INTO messages (battle_id, side, turn, role, content, superseded, duration_ms, created_at) VALUES ('b1', ?, ?, ?, ?, ${isPostgres(db) ? '?::boolean' : '?'}, ?, ?)`;
    const flag = (b: boolean) => (isPostgres(db) ? b : b ? 1 : 0);
    await q(db, msg, 'a', 1, 'assistant', 'first answer "quoted"\n', flag(false), 300, 200);
    await q(db, msg, 'a', 1, 'user', 'Hi', flag(false), null, 150);
    await q(db, msg, 'a', 1, 'assistant', 'an answer redone', flag(true), 9_000, 200);
    await q(db, msg, 'b', 1, 'user', 'Hi', flag(false), null, 150);
    await q(db, msg, 'b', 1, 'assistant', 'é ☃', flag(false), 450, 210);
    const rows = await studyJudgmentRows({ db, study });
    expect(rows).toEqual([
      {
        kind: 'item',
        item: 'q0',
        annotator: 'annotator-01',
        excludedReason: 'tired',
        modelA: a.slot.modelA,
        modelB: a.slot.modelB,
        expected: null,
        winner: 'model_b',
        votedAt: 900,
        assignedAt: 100,
        readyAt: 660,
        moderation: null,
        conversationA: '[{"role":"user","content":"Hi"},{"role":"assistant","content":"first answer \\"quoted\\"\\n"}]',
        conversationB: '[{"role":"user","content":"Hi"},{"role":"assistant","content":"é ☃"}]',
      },
    ]);
    expect(await studyJudgmentRows({ db, study, conversations: false })).toEqual([{ ...rows[0], conversationA: null, conversationB: null }]);

    const imported = await insertStudy({ db, study: { ...designStudy('imported', { items: 1, models: ['a', 'b'], judgmentsPerPair: 1 }), kind: 'imported', items: [], slots: [] }, now: 1 });
    const judgments = [
      { annotator: 'ann', item: 'q1', modelA: 'a', modelB: 'b', winner: 'model_a' as const, votedAt: 20 },
      { annotator: 'bob', item: 'q1', modelA: 'b', modelB: 'a', winner: 'tie' as const, votedAt: 10 },
      { annotator: 'ann', item: 'q2', modelA: 'a', modelB: 'b', winner: 'tie (bothbad)' as const, votedAt: 30 },
    ];
    expect(await insertImportedJudgments({ db, studyId: imported.id, judgments, now: 7 })).toBe(3);
    expect((await listParticipants({ db, studyId: imported.id })).map((x) => [x.seq, x.label, x.joinedAt])).toEqual([
      [1, 'ann', 7],
      [2, 'bob', 7],
    ]);
    await setParticipantExclusion({ db, studyId: imported.id, label: 'bob', reason: 'bot', now: 8 });
    const base = { kind: 'item', expected: null, assignedAt: null, readyAt: null, moderation: null, conversationA: null, conversationB: null };
    expect(await studyJudgmentRows({ db, study: imported })).toEqual([
      { ...base, item: 'q1', annotator: 'bob', excludedReason: 'bot', modelA: 'b', modelB: 'a', winner: 'tie', votedAt: 10 },
      { ...base, item: 'q1', annotator: 'ann', excludedReason: null, modelA: 'a', modelB: 'b', winner: 'model_a', votedAt: 20 },
      { ...base, item: 'q2', annotator: 'ann', excludedReason: null, modelA: 'a', modelB: 'b', winner: 'tie (bothbad)', votedAt: 30 },
    ]);
    expect(
      await q(db, `SELECT mode, status, source, turns, CASE WHEN anony THEN 1 ELSE 0 END AS anony, study_id FROM battles WHERE study_id = ? ORDER BY created_at LIMIT 1`, imported.id),
    ).toEqual([{ mode: 'imported', status: 'voted', source: 'import', turns: 1, anony: 1, study_id: imported.id }]);
    expect((await listStudies({ db })).find((s) => s.id === imported.id)).toMatchObject({ slots: 0, judged: 3, participants: 2 });
  });

  it('joins many participants at once: distinct numbers, one participant per browser', async () => {
    const db = store.db;
    const study = await insertStudy({ db, study: designStudy('crowd', { items: 1, models: ['a', 'b'], judgmentsPerPair: 1 }) });
    const voters = [...Array.from({ length: 12 }, (_, i) => `v${i}`), 'v0', 'v0', 'v1'];
    const codes = createCodeParticipants({ db, studyId: study.id, codes: [{ codeHash: 'c1', note: null }, { codeHash: 'c2', note: null }] });
    const joined = await Promise.all(voters.map((voterId) => joinParticipant({ db, studyId: study.id, userId: null, voterId })));
    await codes;
    const all = await listParticipants({ db, studyId: study.id });
    expect(all.map((p) => p.seq)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    expect(new Set(all.map((p) => p.label)).size).toBe(14);
    expect(new Set(joined.filter((_, i) => voters[i] === 'v0').map((p) => p.id)).size).toBe(1);
  });
});

/**
 * The Postgres side of studies.race.test.ts: participants on several pools (separate
 * connections, as separate app processes have) take and judge slots of one study at once.
 * Every slot goes to one participant, nobody gets a cell twice, and every slot is judged.
 */
describe('study assignment under concurrent participants, on postgres', () => {
  let store: TestStore;
  const pools: PgDb[] = [];
  beforeEach(async () => {
    store = await openTestStore('postgres');
  });
  afterEach(async () => {
    for (const p of pools.splice(0)) await closePostgres(p);
    await store.close();
  });

  it('hands every slot to one participant, and no participant a cell twice', async () => {
    const models = ['m1', 'm2', 'm3', 'm4'];
    const newStudy = designStudy('race', { items: 10, models, judgmentsPerPair: 4 });
    const study = await insertStudy({ db: store.db, study: newStudy });
    for (let i = 0; i < 4; i++) pools.push(await openPostgres(store.location, { max: 3 }));

    const worker = async (db: PgDb, voters: string[]) => {
      const got: Record<string, { slot: number; cell: number }[]> = {};
      await Promise.all(voters.map((v) => joinParticipant({ db, studyId: study.id, userId: null, voterId: v })));
      // Each participant in its own loop: up to 12 assignments at once over 4 pools.
      await Promise.all(
        voters.map(async (voterId) => {
          const p = (await findParticipant({ db, studyId: study.id, voterId }))!;
          for (;;) {
            const a = await assignNext({ db, studyId: study.id, participant: p, policy: NO_CHECKS, checkItems: [], leaseMs: LEASE });
            if ('done' in a) return;
            const id = `${voterId}-${a.slot.id}`;
            await battleOnly(db, id, study.id);
            if (!(await attachBattle({ db, slotId: a.slot.id, participantId: p.id, battleId: id }))) throw new Error('slot taken from under us');
            await q(db, `INSERT INTO votes (battle_id, winner, voter_id, created_at) VALUES (?, 'tie', ?, 1)`, id, `study:${p.id}`);
            (got[voterId] ??= []).push({ slot: a.slot.id, cell: a.slot.cell });
          }
        }),
      );
      return got;
    };
    const groups = [0, 1, 2, 3].map((w) => [0, 1, 2].map((k) => `voter-${w}-${k}`));
    const results = await Promise.all(groups.map((voters, w) => worker(pools[w], voters)));

    const all = results.flatMap((r) => Object.values(r).flat());
    expect(all.length).toBe(newStudy.slots.length); // 240 slots, 12 participants, 4 per cell
    expect(new Set(all.map((g) => g.slot)).size).toBe(all.length);
    for (const r of results) {
      for (const list of Object.values(r)) expect(new Set(list.map((g) => g.cell)).size).toBe(list.length);
    }
    for (const r of results) expect(Object.values(r).flat().length).toBeGreaterThan(0);
    expect((await listParticipants({ db: store.db, studyId: study.id })).map((p) => p.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));

    const [rows] = await q(
      store.db,
      `SELECT count(*) AS n, count(DISTINCT participant_id || ':' || cell) AS "distinctCells",
              count(*) FILTER (WHERE battle_id IN (SELECT battle_id FROM votes)) AS judged FROM study_slots`,
    );
    expect(rows).toEqual({ n: newStudy.slots.length, distinctCells: newStudy.slots.length, judged: newStudy.slots.length });
  });
});
