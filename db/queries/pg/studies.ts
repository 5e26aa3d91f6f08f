import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { AppError } from '../../../lib/errors';
import { annotatorLabel, checkCell, nextStep, type CheckPolicy } from '../../../lib/study/assignment';
import { isUniqueViolation } from '../../errors';
import type { PgDb } from '../../postgres';
import type { Study, StudyItem, StudyParticipant, StudySlot } from '../../schema';
import {
  CHECK_BROKEN,
  CHECK_SOUND,
  type Assignment,
  type JudgmentRow,
  type NewStudy,
  type ParticipantCounts,
  type SlotProgressRow,
  type StudySummary,
} from '../sqlite/studies';
import { row, rows, type PgExec } from './exec';
import { insertRows } from './imports';

/**
 * Postgres twin of db/queries/sqlite/studies.ts (whose comments say what each function does).
 *
 * On SQLite every write transaction holds the one write lock, so the assignment's "read the
 * open slots, then take one" cannot interleave with another. Postgres runs transactions at once,
 * so whatever hands out slots or numbers participants takes the study's advisory lock first
 * (`lockStudy`): per study, one such transaction at a time, as on SQLite; different studies
 * do not wait for each other.
 */

type WithDb = { db?: PgDb };

const STUDY_FIELDS: [string, string][] = [
  ['id', 'id'],
  ['slug', 'slug'],
  ['title', 'title'],
  ['kind', 'kind'],
  ['status', 'status'],
  ['access', 'access'],
  ['definition', 'definition'],
  ['created_by', 'createdBy'],
  ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'],
];
const columns = (fields: [string, string][], prefix = ''): SQL =>
  sql.raw(fields.map(([col, key]) => (col === key ? `${prefix}${col}` : `${prefix}${col} AS "${key}"`)).join(', '));

const STUDY_COLUMNS = columns(STUDY_FIELDS);
const ITEM_COLUMNS = sql.raw(`id, study_id AS "studyId", kind, key, text, category, "check", position`);
const PARTICIPANT_COLUMNS = sql.raw(`id, study_id AS "studyId", seq, label, user_id AS "userId", voter_id AS "voterId", code_hash AS "codeHash", note,
  consented_at AS "consentedAt", joined_at AS "joinedAt", excluded_at AS "excludedAt", excluded_reason AS "excludedReason", created_at AS "createdAt"`);
const SLOT_COLUMNS = sql.raw(`id, study_id AS "studyId", kind, cell, item_id AS "itemId", position, model_a AS "modelA", model_b AS "modelB", expected,
  participant_id AS "participantId", battle_id AS "battleId", assigned_at AS "assignedAt"`);

/** Serialises, per study, the transactions that hand out slots or participant numbers (until commit). */
async function lockStudy(tx: PgExec, studyId: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`pairwise.study:${studyId}`}, 0))`);
}

// --- studies -----------------------------------------------------------------------------

export async function insertStudy(params: WithDb & { study: NewStudy; now?: number }): Promise<Study> {
  const db = params.db!;
  const now = params.now ?? Date.now();
  const s = params.study;
  const id = randomUUID();
  try {
    await db.transaction(async (tx) => {
      await tx.execute(
        sql`INSERT INTO studies (id, slug, title, kind, status, access, definition, created_by, created_at, updated_at)
            VALUES (${id}, ${s.slug}, ${s.title}, ${s.kind}, ${s.status}, ${s.access}, ${s.definition}, ${s.createdBy}, ${now}, ${now})`,
      );
      await insertRows(
        tx,
        sql.raw(`study_items (study_id, kind, key, text, category, "check", position)`),
        s.items.map((item, k) => [id, item.kind, item.key, item.text, item.category, item.check, k]),
      );
      // Items are numbered by their place in the list (position), so their ids are found by it.
      const itemIds = new Map<number, number>();
      for (const r of await rows<{ id: number; position: number }>(tx, sql`SELECT id, position FROM study_items WHERE study_id = ${id}`)) {
        itemIds.set(r.position, r.id);
      }
      await insertRows(
        tx,
        sql.raw(`study_slots (study_id, kind, cell, item_id, position, model_a, model_b)`),
        s.slots.map((slot) => [id, 'item', slot.cell, itemIds.get(slot.item) ?? null, slot.position, slot.modelA, slot.modelB]),
      );
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('conflict', `A study with the slug "${s.slug}" exists already.`, { cause: err });
    throw err;
  }
  return (await getStudy({ db, slug: s.slug }))!;
}

export async function getStudy(params: WithDb & ({ slug: string } | { id: string })): Promise<Study | null> {
  const where = 'slug' in params ? sql`slug = ${params.slug}` : sql`id = ${params.id}`;
  return (await row<Study>(params.db!, sql`SELECT ${STUDY_COLUMNS} FROM studies WHERE ${where}`)) ?? null;
}

export async function listStudies({ db }: WithDb = {}): Promise<StudySummary[]> {
  return rows<StudySummary>(
    db!,
    sql`SELECT ${columns(STUDY_FIELDS, 'st.')},
               (SELECT count(*) FROM study_slots s WHERE s.study_id = st.id AND s.kind = 'item') AS slots,
               CASE WHEN st.kind = 'imported'
                    THEN (SELECT count(*) FROM battles b JOIN votes v ON v.battle_id = b.id WHERE b.study_id = st.id)
                    ELSE (SELECT count(*) FROM study_slots s JOIN votes v ON v.battle_id = s.battle_id WHERE s.study_id = st.id AND s.kind = 'item') END AS judged,
               (SELECT count(*) FROM study_participants p WHERE p.study_id = st.id) AS participants
          FROM studies st ORDER BY st.created_at DESC`,
  );
}

export async function setStudyStatus(params: WithDb & { id: string; status: Study['status']; now?: number }): Promise<void> {
  await params.db!.execute(sql`UPDATE studies SET status = ${params.status}, updated_at = ${params.now ?? Date.now()} WHERE id = ${params.id}`);
}

export async function studyItems(params: WithDb & { studyId: string }): Promise<StudyItem[]> {
  return rows<StudyItem>(params.db!, sql`SELECT ${ITEM_COLUMNS} FROM study_items WHERE study_id = ${params.studyId} ORDER BY kind, position`);
}

export async function getItem(params: WithDb & { id: number }): Promise<StudyItem | null> {
  return (await row<StudyItem>(params.db!, sql`SELECT ${ITEM_COLUMNS} FROM study_items WHERE id = ${params.id}`)) ?? null;
}

// --- participants ------------------------------------------------------------------------

/** Inserts a participant numbered after the study's others; the caller holds the study's lock. */
async function insertParticipantIn(
  tx: PgExec,
  p: { studyId: string; userId?: string | null; voterId?: string | null; codeHash?: string | null; note?: string | null; label?: string; joined: boolean; now: number },
): Promise<StudyParticipant> {
  const { seq } = (await row<{ seq: number }>(tx, sql`SELECT coalesce(max(seq), 0) + 1 AS seq FROM study_participants WHERE study_id = ${p.studyId}`))!;
  const created = await row<StudyParticipant>(
    tx,
    sql`INSERT INTO study_participants (id, study_id, seq, label, user_id, voter_id, code_hash, note, joined_at, created_at)
        VALUES (${randomUUID()}, ${p.studyId}, ${seq}, ${p.label ?? annotatorLabel(seq)}, ${p.userId ?? null}, ${p.voterId ?? null},
                ${p.codeHash ?? null}, ${p.note ?? null}, ${p.joined ? p.now : null}, ${p.now})
        RETURNING ${PARTICIPANT_COLUMNS}`,
  );
  return created!;
}

export async function createCodeParticipants(
  params: WithDb & { studyId: string; codes: { codeHash: string; note: string | null }[]; now?: number },
): Promise<StudyParticipant[]> {
  const now = params.now ?? Date.now();
  return params.db!.transaction(async (tx) => {
    await lockStudy(tx, params.studyId);
    const made: StudyParticipant[] = [];
    for (const code of params.codes) made.push(await insertParticipantIn(tx, { studyId: params.studyId, ...code, joined: false, now }));
    return made;
  });
}

export async function findParticipant(
  params: WithDb & { studyId: string } & ({ userId: string } | { voterId: string } | { codeHash: string } | { id: string }),
): Promise<StudyParticipant | null> {
  return findParticipantIn(params.db!, params);
}

async function findParticipantIn(
  db: PgExec,
  params: { studyId: string } & ({ userId: string } | { voterId: string } | { codeHash: string } | { id: string }),
): Promise<StudyParticipant | null> {
  const match =
    'userId' in params
      ? sql`user_id = ${params.userId}`
      : 'voterId' in params
        ? sql`voter_id = ${params.voterId}`
        : 'codeHash' in params
          ? sql`code_hash = ${params.codeHash}`
          : sql`id = ${params.id}`;
  return (await row<StudyParticipant>(db, sql`SELECT ${PARTICIPANT_COLUMNS} FROM study_participants WHERE study_id = ${params.studyId} AND ${match}`)) ?? null;
}

export async function joinParticipant(
  params: WithDb & { studyId: string; userId: string | null; voterId: string | null; now?: number },
): Promise<StudyParticipant> {
  const db = params.db!;
  const now = params.now ?? Date.now();
  const find = (on: PgExec) =>
    params.userId
      ? findParticipantIn(on, { studyId: params.studyId, userId: params.userId })
      : findParticipantIn(on, { studyId: params.studyId, voterId: params.voterId! });
  const existing = await find(db);
  if (existing) return existing;
  try {
    return await db.transaction(async (tx) => {
      await lockStudy(tx, params.studyId);
      // Another request of this person may have joined while this one waited for the lock.
      const winner = await find(tx);
      if (winner) return winner;
      return insertParticipantIn(tx, { studyId: params.studyId, userId: params.userId, voterId: params.userId ? null : params.voterId, joined: true, now });
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      const winner = await find(db);
      if (winner) return winner;
    }
    throw err;
  }
}

export async function bindCodeParticipant(params: WithDb & { studyId: string; codeHash: string; voterId: string; now?: number }): Promise<StudyParticipant | null> {
  const now = params.now ?? Date.now();
  return params.db!.transaction(async (tx) => {
    await lockStudy(tx, params.studyId);
    const p = await row<{ id: string }>(tx, sql`SELECT id FROM study_participants WHERE study_id = ${params.studyId} AND code_hash = ${params.codeHash}`);
    if (!p) return null;
    await tx.execute(sql`UPDATE study_participants SET voter_id = NULL WHERE study_id = ${params.studyId} AND voter_id = ${params.voterId} AND id <> ${p.id}`);
    return (await row<StudyParticipant>(
      tx,
      sql`UPDATE study_participants SET voter_id = ${params.voterId}, joined_at = coalesce(joined_at, ${now}) WHERE id = ${p.id} RETURNING ${PARTICIPANT_COLUMNS}`,
    ))!;
  });
}

export async function recordConsent(params: WithDb & { participantId: string; now?: number }): Promise<void> {
  await params.db!.execute(
    sql`UPDATE study_participants SET consented_at = coalesce(consented_at, ${params.now ?? Date.now()}) WHERE id = ${params.participantId}`,
  );
}

export async function setParticipantExclusion(
  params: WithDb & { studyId: string; label: string; reason: string | null; now?: number },
): Promise<StudyParticipant | null> {
  const at = params.reason === null ? null : (params.now ?? Date.now());
  return (
    (await row<StudyParticipant>(
      params.db!,
      sql`UPDATE study_participants SET excluded_at = ${at}, excluded_reason = ${params.reason}
           WHERE study_id = ${params.studyId} AND label = ${params.label} RETURNING ${PARTICIPANT_COLUMNS}`,
    )) ?? null
  );
}

// --- assignment --------------------------------------------------------------------------

async function countsIn(db: PgExec, participantId: string): Promise<ParticipantCounts> {
  return (await row<ParticipantCounts>(
    db,
    sql`SELECT count(*) FILTER (WHERE s.kind = 'item') AS "itemsDone", count(*) FILTER (WHERE s.kind = 'check') AS "checksDone"
          FROM study_slots s JOIN votes v ON v.battle_id = s.battle_id WHERE s.participant_id = ${participantId}`,
  ))!;
}

export async function participantCounts(params: WithDb & { participantId: string }): Promise<ParticipantCounts> {
  return countsIn(params.db!, params.participantId);
}

async function currentIn(db: PgExec, participantId: string): Promise<StudySlot | null> {
  return (
    (await row<StudySlot>(
      db,
      sql`SELECT ${SLOT_COLUMNS} FROM study_slots s
           WHERE s.participant_id = ${participantId} AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.battle_id = s.battle_id)
           ORDER BY s.assigned_at NULLS FIRST LIMIT 1`,
    )) ?? null
  );
}

export async function currentSlot(params: WithDb & { participantId: string }): Promise<StudySlot | null> {
  return currentIn(params.db!, params.participantId);
}

/** Open slots of the study, or held past their lease by someone else who has not judged them, on cells the participant has not had. */
function takeable(studyId: string, participantId: string, leaseEnd: number): SQL {
  return sql`s.study_id = ${studyId} AND s.kind = 'item'
    AND (s.participant_id IS NULL
         OR (s.participant_id <> ${participantId} AND s.assigned_at < ${leaseEnd} AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.battle_id = s.battle_id)))
    AND NOT EXISTS (SELECT 1 FROM study_slots t WHERE t.study_id = s.study_id AND t.cell = s.cell AND t.participant_id = ${participantId})`;
}

/**
 * The assignment transaction of db/queries/sqlite/studies.ts. The study's lock is taken before
 * anything is read (as the IMMEDIATE transaction takes SQLite's write lock), and every statement
 * after it sees what earlier holders committed, so two participants never get the same slot and
 * no participant a cell twice, however many processes and connections assign at once.
 */
export async function assignNext(
  params: WithDb & {
    studyId: string;
    participant: { id: string; seq: number };
    policy: CheckPolicy;
    checkItems: number[];
    leaseMs: number;
    now?: number;
  },
): Promise<Assignment> {
  const now = params.now ?? Date.now();
  const pid = params.participant.id;
  return params.db!.transaction(async (tx): Promise<Assignment> => {
    await lockStudy(tx, params.studyId);
    const held = await currentIn(tx, pid);
    if (held) return { slot: held, resumed: true };
    const done = await countsIn(tx, pid);
    const step = nextStep({ ...params.policy, ...done, seq: params.participant.seq });
    if (step.kind === 'done') return { done: true };
    if (step.kind === 'check') {
      const goodLeft = (step.index + params.participant.seq) % 2 === 0;
      const slot = await row<StudySlot>(
        tx,
        sql`INSERT INTO study_slots (study_id, kind, cell, item_id, position, model_a, model_b, expected, participant_id, assigned_at)
            VALUES (${params.studyId}, 'check', ${checkCell(step.index)}, ${params.checkItems[step.index]}, NULL,
                    ${goodLeft ? CHECK_SOUND : CHECK_BROKEN}, ${goodLeft ? CHECK_BROKEN : CHECK_SOUND}, ${goodLeft ? 'model_a' : 'model_b'}, ${pid}, ${now})
            RETURNING ${SLOT_COLUMNS}`,
      );
      return { slot: slot!, resumed: false };
    }
    const open = await row<{ id: number }>(
      tx,
      sql`SELECT s.id FROM study_slots s WHERE ${takeable(params.studyId, pid, now - params.leaseMs)} ORDER BY s.position NULLS FIRST LIMIT 1`,
    );
    if (!open) return { done: true };
    const slot = await row<StudySlot>(
      tx,
      sql`UPDATE study_slots SET participant_id = ${pid}, battle_id = NULL, assigned_at = ${now} WHERE id = ${open.id} RETURNING ${SLOT_COLUMNS}`,
    );
    return { slot: slot!, resumed: false };
  });
}

export async function cellsLeftFor(params: WithDb & { studyId: string; participantId: string; leaseMs: number; now?: number }): Promise<number> {
  const now = params.now ?? Date.now();
  const r = await row<{ n: number }>(
    params.db!,
    sql`SELECT count(DISTINCT s.cell) AS n FROM study_slots s WHERE ${takeable(params.studyId, params.participantId, now - params.leaseMs)}`,
  );
  return r!.n;
}

export async function attachBattle(params: WithDb & { slotId: number; participantId: string; battleId: string }): Promise<boolean> {
  const result = await params.db!.execute(
    sql`UPDATE study_slots SET battle_id = ${params.battleId} WHERE id = ${params.slotId} AND participant_id = ${params.participantId}`,
  );
  return result.rowCount === 1;
}

export async function slotByBattle(params: WithDb & { battleId: string }): Promise<StudySlot | null> {
  return (await row<StudySlot>(params.db!, sql`SELECT ${SLOT_COLUMNS} FROM study_slots WHERE battle_id = ${params.battleId}`)) ?? null;
}

// --- progress and judgments --------------------------------------------------------------

export async function slotProgress(params: WithDb & { studyId: string }): Promise<SlotProgressRow[]> {
  return rows<SlotProgressRow>(
    params.db!,
    // judged is 0/1, as SQLite gives it; SQLite sorts NULL positions (the checks') first.
    sql`SELECT s.kind, s.cell, i.key AS item, s.model_a AS "modelA", s.model_b AS "modelB", p.label AS participant,
               (v.id IS NOT NULL)::int AS judged, v.winner, s.expected
          FROM study_slots s JOIN study_items i ON i.id = s.item_id
          LEFT JOIN study_participants p ON p.id = s.participant_id
          LEFT JOIN votes v ON v.battle_id = s.battle_id
         WHERE s.study_id = ${params.studyId} ORDER BY s.kind, s.position NULLS FIRST, s.id`,
  );
}

export async function listParticipants(params: WithDb & { studyId: string }): Promise<StudyParticipant[]> {
  return rows<StudyParticipant>(params.db!, sql`SELECT ${PARTICIPANT_COLUMNS} FROM study_participants WHERE study_id = ${params.studyId} ORDER BY seq`);
}

/** A side's conversation as JSON text (null without messages); re-serialised below to SQLite's compact form. */
function conversation(side: 'a' | 'b', battle: string): SQL {
  return sql.raw(`(SELECT json_agg(json_build_object('role', m.role, 'content', m.content)
                              ORDER BY m.turn, CASE m.role WHEN 'user' THEN 0 ELSE 1 END, m.id)::text
                     FROM messages m WHERE m.battle_id = ${battle} AND m.side = '${side}' AND NOT m.superseded)`);
}

const compact = (text: string | null): string | null => (text === null ? null : JSON.stringify(JSON.parse(text)));

export async function studyJudgmentRows(params: WithDb & { study: Pick<Study, 'id' | 'kind'>; conversations?: boolean }): Promise<JudgmentRow[]> {
  const conv = params.conversations !== false;
  const none = sql.raw('NULL');
  const found =
    params.study.kind === 'imported'
      ? await rows<JudgmentRow>(
          params.db!,
          sql`SELECT 'item' AS kind, b.question_id AS item, b.judge AS annotator, p.excluded_reason AS "excludedReason",
                     b.model_a AS "modelA", b.model_b AS "modelB", NULL AS expected, v.winner, v.created_at AS "votedAt",
                     NULL AS "assignedAt", NULL AS "readyAt", v.moderation,
                     ${conv ? conversation('a', 'b.id') : none} AS "conversationA", ${conv ? conversation('b', 'b.id') : none} AS "conversationB"
                FROM battles b JOIN votes v ON v.battle_id = b.id
                LEFT JOIN study_participants p ON p.study_id = b.study_id AND p.label = b.judge
               WHERE b.study_id = ${params.study.id} ORDER BY v.created_at, v.id`,
        )
      : await rows<JudgmentRow>(
          params.db!,
          sql`SELECT s.kind, i.key AS item, p.label AS annotator, p.excluded_reason AS "excludedReason",
                     s.model_a AS "modelA", s.model_b AS "modelB", s.expected, v.winner, v.created_at AS "votedAt", s.assigned_at AS "assignedAt",
                     (SELECT max(m.created_at + coalesce(m.duration_ms, 0)) FROM messages m
                       WHERE m.battle_id = s.battle_id AND m.role = 'assistant' AND NOT m.superseded) AS "readyAt",
                     v.moderation,
                     ${conv ? conversation('a', 's.battle_id') : none} AS "conversationA", ${conv ? conversation('b', 's.battle_id') : none} AS "conversationB"
                FROM study_slots s JOIN study_items i ON i.id = s.item_id
                JOIN study_participants p ON p.id = s.participant_id
                JOIN votes v ON v.battle_id = s.battle_id
               WHERE s.study_id = ${params.study.id} ORDER BY v.created_at, v.id`,
        );
  if (conv) {
    for (const r of found) {
      r.conversationA = compact(r.conversationA);
      r.conversationB = compact(r.conversationB);
    }
  }
  return found;
}

// --- imported studies ------------------------------------------------------------------------

export async function insertImportedJudgments(
  params: WithDb & {
    studyId: string;
    judgments: { annotator: string; item: string; modelA: string; modelB: string; winner: JudgmentRow['winner']; votedAt: number }[];
    now?: number;
  },
): Promise<number> {
  const now = params.now ?? Date.now();
  return params.db!.transaction(async (tx) => {
    await lockStudy(tx, params.studyId);
    const labels = new Set<string>();
    const battleRows: (string | number | boolean | null)[][] = [];
    const voteRows: (string | number)[][] = [];
    for (const j of params.judgments) {
      if (!labels.has(j.annotator)) {
        labels.add(j.annotator);
        await insertParticipantIn(tx, { studyId: params.studyId, label: j.annotator, joined: true, now });
      }
      const id = randomUUID();
      battleRows.push([id, j.modelA, j.modelB, 'imported', 'voted', 1, j.item, 'import', j.annotator, true, params.studyId, j.votedAt, j.votedAt]);
      voteRows.push([id, j.winner, j.votedAt]);
    }
    await insertRows(
      tx,
      sql.raw(`battles (id, model_a, model_b, mode, status, turns, question_id, source, judge, anony, study_id, created_at, updated_at)`),
      battleRows,
    );
    await insertRows(tx, sql.raw(`votes (battle_id, winner, created_at)`), voteRows);
    return params.judgments.length;
  });
}
