import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { AppError } from '../../../lib/errors';
import { annotatorLabel, checkCell, nextStep, type CheckPolicy } from '../../../lib/study/assignment';
import { getDb, type Db } from '../../index';
import type { Study, StudyItem, StudyParticipant, StudySlot } from '../../schema';

/**
 * Studies in the store: their items, participants and slots, the assignment transaction, and the
 * reads behind progress and reports. A judgment is the vote of a slot's battle, so "judged" is
 * always read from the votes, never kept twice.
 */

type WithDb = { db?: Db };
type Client = Database.Database;

const client = (db?: Db): Client => (db ?? getDb()).$client;

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

const STUDY_COLUMNS = `id, slug, title, kind, status, access, definition, created_by AS createdBy, created_at AS createdAt, updated_at AS updatedAt`;
const ITEM_COLUMNS = `id, study_id AS studyId, kind, key, text, category, "check", position`;
const PARTICIPANT_COLUMNS = `id, study_id AS studyId, seq, label, user_id AS userId, voter_id AS voterId, code_hash AS codeHash, note,
  consented_at AS consentedAt, joined_at AS joinedAt, excluded_at AS excludedAt, excluded_reason AS excludedReason, created_at AS createdAt`;
const SLOT_COLUMNS = `id, study_id AS studyId, kind, cell, item_id AS itemId, position, model_a AS modelA, model_b AS modelB, expected,
  participant_id AS participantId, battle_id AS battleId, assigned_at AS assignedAt`;

// --- studies -----------------------------------------------------------------------------

export interface NewStudy {
  slug: string;
  title: string;
  kind: Study['kind'];
  status: Study['status'];
  access: Study['access'];
  definition: string;
  createdBy: string | null;
  items: { kind: 'item' | 'check'; key: string; text: string; category: string | null; check: string | null }[];
  /** Design slots; `item` indexes `items` (of kind 'item'). */
  slots: { kind: 'item'; cell: number; item: number; position: number; modelA: string; modelB: string }[];
}

/** Writes a study with its items and design slots in one transaction; a taken slug is a conflict. */
export async function insertStudy(params: WithDb & { study: NewStudy; now?: number }): Promise<Study> {
  const c = client(params.db);
  const now = params.now ?? Date.now();
  const s = params.study;
  const id = randomUUID();
  try {
    c.transaction(() => {
      c.prepare(
        `INSERT INTO studies (id, slug, title, kind, status, access, definition, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(id, s.slug, s.title, s.kind, s.status, s.access, s.definition, s.createdBy, now, now);
      const insertItem = c.prepare(`INSERT INTO study_items (study_id, kind, key, text, category, "check", position) VALUES (?, ?, ?, ?, ?, ?, ?)`);
      const itemIds: number[] = [];
      s.items.forEach((item, k) => {
        itemIds.push(Number(insertItem.run(id, item.kind, item.key, item.text, item.category, item.check, k).lastInsertRowid));
      });
      const insertSlot = c.prepare(
        `INSERT INTO study_slots (study_id, kind, cell, item_id, position, model_a, model_b) VALUES (?, 'item', ?, ?, ?, ?, ?)`,
      );
      for (const slot of s.slots) insertSlot.run(id, slot.cell, itemIds[slot.item], slot.position, slot.modelA, slot.modelB);
    })();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('conflict', `A study with the slug "${s.slug}" exists already.`, { cause: err });
    throw err;
  }
  return (await getStudy({ db: params.db, slug: s.slug }))!;
}

export async function getStudy(params: WithDb & ({ slug: string } | { id: string })): Promise<Study | null> {
  const c = client(params.db);
  const row = 'slug' in params
    ? c.prepare(`SELECT ${STUDY_COLUMNS} FROM studies WHERE slug = ?`).get(params.slug)
    : c.prepare(`SELECT ${STUDY_COLUMNS} FROM studies WHERE id = ?`).get(params.id);
  return (row as Study | undefined) ?? null;
}

export interface StudySummary extends Study {
  slots: number;
  judged: number;
  participants: number;
}

export async function listStudies({ db }: WithDb = {}): Promise<StudySummary[]> {
  return client(db)
    .prepare(
      `SELECT ${STUDY_COLUMNS.split(', ').map((col) => `st.${col}`).join(', ')},
              (SELECT count(*) FROM study_slots s WHERE s.study_id = st.id AND s.kind = 'item') AS slots,
              CASE WHEN st.kind = 'imported'
                   THEN (SELECT count(*) FROM battles b JOIN votes v ON v.battle_id = b.id WHERE b.study_id = st.id)
                   ELSE (SELECT count(*) FROM study_slots s JOIN votes v ON v.battle_id = s.battle_id WHERE s.study_id = st.id AND s.kind = 'item') END AS judged,
              (SELECT count(*) FROM study_participants p WHERE p.study_id = st.id) AS participants
         FROM studies st ORDER BY st.created_at DESC`,
    )
    .all() as StudySummary[];
}

export async function setStudyStatus(params: WithDb & { id: string; status: Study['status']; now?: number }): Promise<void> {
  client(params.db).prepare(`UPDATE studies SET status = ?, updated_at = ? WHERE id = ?`).run(params.status, params.now ?? Date.now(), params.id);
}

export async function studyItems(params: WithDb & { studyId: string }): Promise<StudyItem[]> {
  return client(params.db).prepare(`SELECT ${ITEM_COLUMNS} FROM study_items WHERE study_id = ? ORDER BY kind, position`).all(params.studyId) as StudyItem[];
}

export async function getItem(params: WithDb & { id: number }): Promise<StudyItem | null> {
  return (client(params.db).prepare(`SELECT ${ITEM_COLUMNS} FROM study_items WHERE id = ?`).get(params.id) as StudyItem | undefined) ?? null;
}

// --- participants ------------------------------------------------------------------------

function insertParticipantSync(
  c: Client,
  p: { studyId: string; userId?: string | null; voterId?: string | null; codeHash?: string | null; note?: string | null; label?: string; joined: boolean; now: number },
): StudyParticipant {
  const seq = (c.prepare(`SELECT coalesce(max(seq), 0) + 1 AS seq FROM study_participants WHERE study_id = ?`).get(p.studyId) as { seq: number }).seq;
  const id = randomUUID();
  c.prepare(
    `INSERT INTO study_participants (id, study_id, seq, label, user_id, voter_id, code_hash, note, joined_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, p.studyId, seq, p.label ?? annotatorLabel(seq), p.userId ?? null, p.voterId ?? null, p.codeHash ?? null, p.note ?? null, p.joined ? p.now : null, p.now);
  return c.prepare(`SELECT ${PARTICIPANT_COLUMNS} FROM study_participants WHERE id = ?`).get(id) as StudyParticipant;
}

/** Participants for invite codes (only their hashes are stored), numbered after the existing ones. */
export async function createCodeParticipants(
  params: WithDb & { studyId: string; codes: { codeHash: string; note: string | null }[]; now?: number },
): Promise<StudyParticipant[]> {
  const c = client(params.db);
  const now = params.now ?? Date.now();
  return c.transaction(() => params.codes.map((code) => insertParticipantSync(c, { studyId: params.studyId, ...code, joined: false, now })))();
}

export async function findParticipant(
  params: WithDb & { studyId: string } & ({ userId: string } | { voterId: string } | { codeHash: string } | { id: string }),
): Promise<StudyParticipant | null> {
  const c = client(params.db);
  const [column, value] =
    'userId' in params ? ['user_id', params.userId] : 'voterId' in params ? ['voter_id', params.voterId] : 'codeHash' in params ? ['code_hash', params.codeHash] : ['id', params.id];
  return (c.prepare(`SELECT ${PARTICIPANT_COLUMNS} FROM study_participants WHERE study_id = ? AND ${column} = ?`).get(params.studyId, value) as StudyParticipant | undefined) ?? null;
}

/**
 * The participant of this account or browser, created on first use (signed-in and anonymous
 * studies). Safe under races: the unique indexes decide, and the loser reads the winner's row.
 */
export async function joinParticipant(
  params: WithDb & { studyId: string; userId: string | null; voterId: string | null; now?: number },
): Promise<StudyParticipant> {
  const c = client(params.db);
  const now = params.now ?? Date.now();
  const find = () =>
    params.userId
      ? findParticipant({ db: params.db, studyId: params.studyId, userId: params.userId })
      : findParticipant({ db: params.db, studyId: params.studyId, voterId: params.voterId! });
  const existing = await find();
  if (existing) return existing;
  try {
    return c
      .transaction(() => insertParticipantSync(c, { studyId: params.studyId, userId: params.userId, voterId: params.userId ? null : params.voterId, joined: true, now }))
      .immediate();
  } catch (err) {
    if (isUniqueViolation(err)) {
      const winner = await find();
      if (winner) return winner;
    }
    throw err;
  }
}

/** An invite code used on this browser: the code's participant moves to it (and off any other browser). */
export async function bindCodeParticipant(params: WithDb & { studyId: string; codeHash: string; voterId: string; now?: number }): Promise<StudyParticipant | null> {
  const c = client(params.db);
  const now = params.now ?? Date.now();
  return c
    .transaction(() => {
      const p = c.prepare(`SELECT id FROM study_participants WHERE study_id = ? AND code_hash = ?`).get(params.studyId, params.codeHash) as { id: string } | undefined;
      if (!p) return null;
      c.prepare(`UPDATE study_participants SET voter_id = NULL WHERE study_id = ? AND voter_id = ? AND id <> ?`).run(params.studyId, params.voterId, p.id);
      c.prepare(`UPDATE study_participants SET voter_id = ?, joined_at = coalesce(joined_at, ?) WHERE id = ?`).run(params.voterId, now, p.id);
      return c.prepare(`SELECT ${PARTICIPANT_COLUMNS} FROM study_participants WHERE id = ?`).get(p.id) as StudyParticipant;
    })
    .immediate();
}

export async function recordConsent(params: WithDb & { participantId: string; now?: number }): Promise<void> {
  client(params.db).prepare(`UPDATE study_participants SET consented_at = coalesce(consented_at, ?) WHERE id = ?`).run(params.now ?? Date.now(), params.participantId);
}

export async function setParticipantExclusion(params: WithDb & { studyId: string; label: string; reason: string | null; now?: number }): Promise<StudyParticipant | null> {
  const c = client(params.db);
  const info = c
    .prepare(`UPDATE study_participants SET excluded_at = ?, excluded_reason = ? WHERE study_id = ? AND label = ?`)
    .run(params.reason === null ? null : (params.now ?? Date.now()), params.reason, params.studyId, params.label);
  if (info.changes === 0) return null;
  return c.prepare(`SELECT ${PARTICIPANT_COLUMNS} FROM study_participants WHERE study_id = ? AND label = ?`).get(params.studyId, params.label) as StudyParticipant;
}

// --- assignment --------------------------------------------------------------------------

export interface ParticipantCounts {
  itemsDone: number;
  checksDone: number;
}

function countsSync(c: Client, participantId: string): ParticipantCounts {
  return c
    .prepare(
      `SELECT coalesce(sum(s.kind = 'item'), 0) AS itemsDone, coalesce(sum(s.kind = 'check'), 0) AS checksDone
         FROM study_slots s JOIN votes v ON v.battle_id = s.battle_id WHERE s.participant_id = ?`,
    )
    .get(participantId) as ParticipantCounts;
}

export async function participantCounts(params: WithDb & { participantId: string }): Promise<ParticipantCounts> {
  return countsSync(client(params.db), params.participantId);
}

/** The slot a participant holds and has not judged yet, if any. */
function currentSync(c: Client, participantId: string): StudySlot | null {
  return (
    (c
      .prepare(
        `SELECT ${SLOT_COLUMNS} FROM study_slots s
          WHERE s.participant_id = ? AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.battle_id = s.battle_id)
          ORDER BY s.assigned_at LIMIT 1`,
      )
      .get(participantId) as StudySlot | undefined) ?? null
  );
}

export async function currentSlot(params: WithDb & { participantId: string }): Promise<StudySlot | null> {
  return currentSync(client(params.db), params.participantId);
}

export type Assignment = { slot: StudySlot; resumed: boolean } | { done: true };

/**
 * Gives the participant their next slot, in one IMMEDIATE transaction (the write lock is taken
 * before anything is read, so two processes cannot hand out the same slot): the slot they hold
 * if any; else an attention check when one is due (its slot is made now, sides by the
 * participant's number); else the first slot in hand-out order that is open, or held past its
 * lease by someone who has not judged it, on a cell this participant has not had. The unique
 * index on (study, cell, participant) stands behind the rule.
 */
export async function assignNext(
  params: WithDb & {
    studyId: string;
    participant: { id: string; seq: number };
    policy: CheckPolicy;
    /** Check items of the study in order (their item ids). */
    checkItems: number[];
    leaseMs: number;
    now?: number;
  },
): Promise<Assignment> {
  const c = client(params.db);
  const now = params.now ?? Date.now();
  const pid = params.participant.id;
  return c
    .transaction((): Assignment => {
      const held = currentSync(c, pid);
      if (held) return { slot: held, resumed: true };
      const done = countsSync(c, pid);
      const step = nextStep({ ...params.policy, ...done, seq: params.participant.seq });
      if (step.kind === 'done') return { done: true };
      if (step.kind === 'check') {
        const goodLeft = (step.index + params.participant.seq) % 2 === 0;
        const info = c
          .prepare(
            `INSERT INTO study_slots (study_id, kind, cell, item_id, position, model_a, model_b, expected, participant_id, assigned_at)
             VALUES (?, 'check', ?, ?, NULL, ?, ?, ?, ?, ?)`,
          )
          .run(
            params.studyId,
            checkCell(step.index),
            params.checkItems[step.index],
            goodLeft ? CHECK_SOUND : CHECK_BROKEN,
            goodLeft ? CHECK_BROKEN : CHECK_SOUND,
            goodLeft ? 'model_a' : 'model_b',
            pid,
            now,
          );
        return { slot: c.prepare(`SELECT ${SLOT_COLUMNS} FROM study_slots WHERE id = ?`).get(info.lastInsertRowid) as StudySlot, resumed: false };
      }
      const open = c
        .prepare(
          `SELECT s.id FROM study_slots s
            WHERE s.study_id = ? AND s.kind = 'item'
              AND (s.participant_id IS NULL
                   OR (s.participant_id <> ? AND s.assigned_at < ? AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.battle_id = s.battle_id)))
              AND NOT EXISTS (SELECT 1 FROM study_slots t WHERE t.study_id = s.study_id AND t.cell = s.cell AND t.participant_id = ?)
            ORDER BY s.position LIMIT 1`,
        )
        .get(params.studyId, pid, now - params.leaseMs, pid) as { id: number } | undefined;
      if (!open) return { done: true };
      c.prepare(`UPDATE study_slots SET participant_id = ?, battle_id = NULL, assigned_at = ? WHERE id = ?`).run(pid, now, open.id);
      return { slot: c.prepare(`SELECT ${SLOT_COLUMNS} FROM study_slots WHERE id = ?`).get(open.id) as StudySlot, resumed: false };
    })
    .immediate();
}

/** Cells this participant could still be given a slot of (open, or past their lease), now. */
export async function cellsLeftFor(params: WithDb & { studyId: string; participantId: string; leaseMs: number; now?: number }): Promise<number> {
  const now = params.now ?? Date.now();
  const row = client(params.db)
    .prepare(
      `SELECT count(DISTINCT s.cell) AS n FROM study_slots s
        WHERE s.study_id = ? AND s.kind = 'item'
          AND (s.participant_id IS NULL
               OR (s.participant_id <> ? AND s.assigned_at < ? AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.battle_id = s.battle_id)))
          AND NOT EXISTS (SELECT 1 FROM study_slots t WHERE t.study_id = s.study_id AND t.cell = s.cell AND t.participant_id = ?)`,
    )
    .get(params.studyId, params.participantId, now - params.leaseMs, params.participantId) as { n: number };
  return row.n;
}

/** Side names of attention-check battles: what each side shows, never a model. */
export const CHECK_SOUND = 'attention-check:sound';
export const CHECK_BROKEN = 'attention-check:broken';

/** Records the battle of a held slot; false when the slot is no longer this participant's. */
export async function attachBattle(params: WithDb & { slotId: number; participantId: string; battleId: string }): Promise<boolean> {
  const info = client(params.db)
    .prepare(`UPDATE study_slots SET battle_id = ? WHERE id = ? AND participant_id = ?`)
    .run(params.battleId, params.slotId, params.participantId);
  return info.changes === 1;
}

export async function slotByBattle(params: WithDb & { battleId: string }): Promise<StudySlot | null> {
  return (client(params.db).prepare(`SELECT ${SLOT_COLUMNS} FROM study_slots WHERE battle_id = ?`).get(params.battleId) as StudySlot | undefined) ?? null;
}

// --- progress and judgments --------------------------------------------------------------

export interface SlotProgressRow {
  kind: 'item' | 'check';
  cell: number;
  item: string;
  modelA: string;
  modelB: string;
  participant: string | null;
  judged: number;
  winner: string | null;
  expected: string | null;
}

/** Every slot with who holds it and whether it is judged: what the console's progress tables are made of. */
export async function slotProgress(params: WithDb & { studyId: string }): Promise<SlotProgressRow[]> {
  return client(params.db)
    .prepare(
      `SELECT s.kind, s.cell, i.key AS item, s.model_a AS modelA, s.model_b AS modelB, p.label AS participant,
              v.id IS NOT NULL AS judged, v.winner, s.expected
         FROM study_slots s JOIN study_items i ON i.id = s.item_id
         LEFT JOIN study_participants p ON p.id = s.participant_id
         LEFT JOIN votes v ON v.battle_id = s.battle_id
        WHERE s.study_id = ? ORDER BY s.kind, s.position, s.id`,
    )
    .all(params.studyId) as SlotProgressRow[];
}

export async function listParticipants(params: WithDb & { studyId: string }): Promise<StudyParticipant[]> {
  return client(params.db).prepare(`SELECT ${PARTICIPANT_COLUMNS} FROM study_participants WHERE study_id = ? ORDER BY seq`).all(params.studyId) as StudyParticipant[];
}

export interface JudgmentRow {
  kind: 'item' | 'check';
  item: string;
  annotator: string;
  excludedReason: string | null;
  modelA: string;
  modelB: string;
  expected: 'model_a' | 'model_b' | null;
  winner: 'model_a' | 'model_b' | 'tie' | 'tie (bothbad)';
  votedAt: number;
  assignedAt: number | null;
  readyAt: number | null;
  moderation: string | null;
  conversationA: string | null;
  conversationB: string | null;
}

function conversation(side: 'a' | 'b', battle: string): string {
  return `(SELECT CASE WHEN count(*) = 0 THEN NULL ELSE json_group_array(json_object('role', role, 'content', content)) END
             FROM (SELECT role, content FROM messages WHERE battle_id = ${battle} AND side = '${side}' AND superseded = 0
                    ORDER BY turn, CASE role WHEN 'user' THEN 0 ELSE 1 END, id))`;
}

/** Every judgment of a study (native: votes of its slots; imported: its imported battles), in vote order. */
export async function studyJudgmentRows(params: WithDb & { study: Pick<Study, 'id' | 'kind'>; conversations?: boolean }): Promise<JudgmentRow[]> {
  const c = client(params.db);
  const conv = params.conversations !== false;
  if (params.study.kind === 'imported') {
    return c
      .prepare(
        `SELECT 'item' AS kind, b.question_id AS item, b.judge AS annotator, p.excluded_reason AS excludedReason,
                b.model_a AS modelA, b.model_b AS modelB, NULL AS expected, v.winner, v.created_at AS votedAt,
                NULL AS assignedAt, NULL AS readyAt, v.moderation,
                ${conv ? conversation('a', 'b.id') : 'NULL'} AS conversationA, ${conv ? conversation('b', 'b.id') : 'NULL'} AS conversationB
           FROM battles b JOIN votes v ON v.battle_id = b.id
           LEFT JOIN study_participants p ON p.study_id = b.study_id AND p.label = b.judge
          WHERE b.study_id = ? ORDER BY v.created_at, v.id`,
      )
      .all(params.study.id) as JudgmentRow[];
  }
  return c
    .prepare(
      `SELECT s.kind, i.key AS item, p.label AS annotator, p.excluded_reason AS excludedReason,
              s.model_a AS modelA, s.model_b AS modelB, s.expected, v.winner, v.created_at AS votedAt, s.assigned_at AS assignedAt,
              (SELECT max(m.created_at + coalesce(m.duration_ms, 0)) FROM messages m
                WHERE m.battle_id = s.battle_id AND m.role = 'assistant' AND m.superseded = 0) AS readyAt,
              v.moderation,
              ${conv ? conversation('a', 's.battle_id') : 'NULL'} AS conversationA, ${conv ? conversation('b', 's.battle_id') : 'NULL'} AS conversationB
         FROM study_slots s JOIN study_items i ON i.id = s.item_id
         JOIN study_participants p ON p.id = s.participant_id
         JOIN votes v ON v.battle_id = s.battle_id
        WHERE s.study_id = ? ORDER BY v.created_at, v.id`,
    )
    .all(params.study.id) as JudgmentRow[];
}

// --- imported studies ------------------------------------------------------------------------

/**
 * An imported study's judgments as voted, imported battles tagged with the study (never on the
 * main board), with one participant per judge, in one transaction.
 */
export async function insertImportedJudgments(
  params: WithDb & {
    studyId: string;
    judgments: { annotator: string; item: string; modelA: string; modelB: string; winner: JudgmentRow['winner']; votedAt: number }[];
    now?: number;
  },
): Promise<number> {
  const c = client(params.db);
  const now = params.now ?? Date.now();
  return c.transaction(() => {
    const labels = new Set<string>();
    const battle = c.prepare(
      `INSERT INTO battles (id, model_a, model_b, mode, status, turns, question_id, source, judge, anony, study_id, created_at, updated_at)
       VALUES (?, ?, ?, 'imported', 'voted', 1, ?, 'import', ?, 1, ?, ?, ?)`,
    );
    const vote = c.prepare(`INSERT INTO votes (battle_id, winner, created_at) VALUES (?, ?, ?)`);
    for (const j of params.judgments) {
      if (!labels.has(j.annotator)) {
        labels.add(j.annotator);
        insertParticipantSync(c, { studyId: params.studyId, label: j.annotator, joined: true, now });
      }
      const id = randomUUID();
      battle.run(id, j.modelA, j.modelB, j.item, j.annotator, params.studyId, j.votedAt, j.votedAt);
      vote.run(id, j.winner, j.votedAt);
    }
    return params.judgments.length;
  })();
}
