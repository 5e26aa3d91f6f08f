import crypto from 'node:crypto';
import { recordAudit } from '../../db/queries/audit';
import {
  createCodeParticipants,
  getStudy,
  insertImportedJudgments,
  insertStudy,
  listParticipants,
  listStudies,
  setParticipantExclusion,
  setStudyStatus,
  slotProgress,
  studyJudgmentRows,
  type JudgmentRow,
  type SlotProgressRow,
} from '../../db/queries/studies';
import type { Study } from '../../db/schema';
import { AppError } from '../errors';
import { hashInviteToken } from '../identity/accounts';
import type { PairJudgment } from './agreement';
import { storedDefinition } from './create';
import { slugSchema } from './definition';
import { buildReport, type StudyJudgmentRow, type StudyMeta, type StudyReport } from './report';

/**
 * The operator's side of studies: the list, a study's progress (per item, per pair, per
 * participant), invite codes, opening and closing, excluding an annotator (with a reason, which
 * refits the report), the report and its bundle, and imported studies. Every change is audited.
 */

export { listStudies };

export async function requireStudy(slug: string): Promise<Study> {
  const study = await getStudy({ slug });
  if (!study) throw new AppError('not_found', 'No study with this slug.');
  return study;
}

// --- progress ----------------------------------------------------------------------------

export interface ProgressTable {
  key: string;
  judged: number;
  planned: number;
  held: number;
}

export interface StudyOverview {
  study: Study;
  definition: ReturnType<typeof storedDefinition> | null;
  totals: { planned: number; judged: number; held: number; participants: number };
  perItem: ProgressTable[];
  perPair: ProgressTable[];
  participants: {
    label: string;
    note: string | null;
    joined: boolean;
    consented: boolean;
    judged: number;
    checks: number;
    checksFailed: number;
    excludedReason: string | null;
    holding: boolean;
  }[];
}

function tally(rows: SlotProgressRow[], key: (r: SlotProgressRow) => string): ProgressTable[] {
  const out = new Map<string, ProgressTable>();
  for (const r of rows) {
    const k = key(r);
    const t = out.get(k) ?? { key: k, judged: 0, planned: 0, held: 0 };
    t.planned++;
    if (r.judged) t.judged++;
    else if (r.participant) t.held++;
    out.set(k, t);
  }
  return [...out.values()];
}

export async function studyOverview(slug: string): Promise<StudyOverview> {
  const study = await requireStudy(slug);
  const participants = await listParticipants({ studyId: study.id });
  if (study.kind === 'imported') {
    const rows = await studyJudgmentRows({ study, conversations: false });
    const byItem = new Map<string, number>();
    const byPair = new Map<string, number>();
    for (const r of rows) {
      byItem.set(r.item, (byItem.get(r.item) ?? 0) + 1);
      const pair = [r.modelA, r.modelB].sort().join(' vs ');
      byPair.set(pair, (byPair.get(pair) ?? 0) + 1);
    }
    const table = (m: Map<string, number>) => [...m].map(([key, n]) => ({ key, judged: n, planned: n, held: 0 }));
    return {
      study,
      definition: null,
      totals: { planned: rows.length, judged: rows.length, held: 0, participants: participants.length },
      perItem: table(byItem),
      perPair: table(byPair),
      participants: participants.map((p) => ({
        label: p.label,
        note: p.note,
        joined: true,
        consented: true,
        judged: rows.filter((r) => r.annotator === p.label).length,
        checks: 0,
        checksFailed: 0,
        excludedReason: p.excludedReason,
        holding: false,
      })),
    };
  }
  const slots = await slotProgress({ studyId: study.id });
  const items = slots.filter((s) => s.kind === 'item');
  const checks = slots.filter((s) => s.kind === 'check');
  return {
    study,
    definition: storedDefinition(study),
    totals: {
      planned: items.length,
      judged: items.filter((s) => s.judged).length,
      held: items.filter((s) => !s.judged && s.participant).length,
      participants: participants.length,
    },
    perItem: tally(items, (r) => r.item),
    perPair: tally(items, (r) => [r.modelA, r.modelB].sort().join(' vs ')),
    participants: participants.map((p) => {
      const own = slots.filter((s) => s.participant === p.label);
      const ownChecks = checks.filter((s) => s.participant === p.label && s.judged);
      return {
        label: p.label,
        note: p.note,
        joined: p.joinedAt !== null,
        consented: p.consentedAt !== null,
        judged: own.filter((s) => s.kind === 'item' && s.judged).length,
        checks: ownChecks.length,
        checksFailed: ownChecks.filter((s) => s.winner !== s.expected).length,
        excludedReason: p.excludedReason,
        holding: own.some((s) => !s.judged),
      };
    }),
  };
}

// --- changes -----------------------------------------------------------------------------

const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A participant code: ten characters of Crockford's base32 (no I, L, O, U), shown as XXXXX-XXXXX. */
export function newParticipantCode(): string {
  const bytes = crypto.randomBytes(10);
  let code = '';
  for (const b of bytes) code += CODE_ALPHABET[b & 31];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

export async function createInvites(
  slug: string,
  input: { count: number; note?: string | null },
  actorUserId: string | null,
): Promise<{ label: string; code: string; path: string }[]> {
  const study = await requireStudy(slug);
  if (study.kind !== 'native') throw new AppError('conflict', 'An imported study has no participants to invite.');
  if (study.access !== 'invite') throw new AppError('conflict', 'This study is not taken part in by invitation.');
  const codes = Array.from({ length: input.count }, () => newParticipantCode());
  const rows = await createCodeParticipants({
    studyId: study.id,
    codes: codes.map((code) => ({ codeHash: hashInviteToken(code.replace('-', '')), note: input.note ?? null })),
  });
  await recordAudit({ actorUserId, action: 'study.invites', target: study.slug, after: { count: rows.length, labels: rows.map((r) => r.label) } });
  return rows.map((r, k) => ({ label: r.label, code: codes[k], path: `/study/${study.slug}?code=${codes[k]}` }));
}

export async function changeStatus(slug: string, status: Study['status'], actorUserId: string | null): Promise<Study> {
  const study = await requireStudy(slug);
  if (study.kind !== 'native') throw new AppError('conflict', 'An imported study cannot be opened.');
  if (status === 'draft' && study.status !== 'draft') throw new AppError('conflict', 'A study that has started cannot go back to draft.');
  await setStudyStatus({ id: study.id, status });
  await recordAudit({ actorUserId, action: 'study.status', target: study.slug, before: { status: study.status }, after: { status } });
  return (await getStudy({ id: study.id }))!;
}

/** Excludes an annotator from the study's report (reason given) or takes them back in (reason null). */
export async function setExclusion(slug: string, label: string, reason: string | null, actorUserId: string | null): Promise<void> {
  const study = await requireStudy(slug);
  if (reason !== null && !reason.trim()) throw new AppError('validation_failed', 'Say why this annotator is excluded.');
  const before = (await listParticipants({ studyId: study.id })).find((p) => p.label === label);
  const updated = await setParticipantExclusion({ studyId: study.id, label, reason: reason?.trim() ?? null });
  if (!updated) throw new AppError('not_found', `No annotator "${label}" in this study.`);
  await recordAudit({
    actorUserId,
    action: reason === null ? 'study.annotator.include' : 'study.annotator.exclude',
    target: `${study.slug}/${label}`,
    before: { excluded: before?.excludedReason ?? null },
    after: { excluded: updated.excludedReason },
  });
}

// --- report ------------------------------------------------------------------------------

function readMs(r: JudgmentRow): number | null {
  return r.readyAt === null ? null : Math.max(0, r.votedAt - r.readyAt);
}

export function toReportRow(r: JudgmentRow): StudyJudgmentRow {
  const parse = (s: string | null) => (s ? (JSON.parse(s) as { role: string; content: string }[]) : undefined);
  return {
    kind: r.kind,
    annotator: r.annotator,
    item: r.item,
    // Check sides are named for what they show (attention-check:sound / :broken), never a model.
    modelA: r.modelA,
    modelB: r.modelB,
    winner: r.winner,
    expected: r.expected,
    excluded: r.excludedReason,
    moderated: r.moderation === 'exclude',
    tstamp: r.votedAt / 1000,
    readMs: readMs(r),
    totalMs: r.assignedAt === null ? null : Math.max(0, r.votedAt - r.assignedAt),
    conversationA: parse(r.conversationA),
    conversationB: parse(r.conversationB),
  };
}

export async function studyMeta(study: Study): Promise<StudyMeta> {
  const participants = await listParticipants({ studyId: study.id });
  const def = study.kind === 'native' ? storedDefinition(study) : null;
  const imported = study.kind === 'imported' ? (JSON.parse(study.definition) as { models: string[]; items: number; cells: number }) : null;
  return {
    slug: study.slug,
    title: study.title,
    kind: study.kind,
    status: study.status,
    access: study.kind === 'native' ? study.access : null,
    createdAt: study.createdAt,
    models: def?.models ?? imported?.models ?? [],
    items: def?.prompts.items.length ?? imported?.items ?? 0,
    design: def
      ? {
          kind: def.design.kind,
          pairsPerItem: def.design.kind === 'balanced-incomplete' ? def.design.pairsPerItem : null,
          judgmentsPerPair: def.judgmentsPerPair,
          cells: def.balance?.cells ?? 0,
          slots: def.balance?.slots ?? 0,
          balance: def.balance
            ? {
                perPair: def.balance.perPair,
                pairSideGap: def.balance.pairSideGap,
                modelSides: Object.fromEntries(def.models.map((m, k) => [m, def.balance!.modelSides[k]])),
              }
            : null,
        }
      : { kind: 'imported', pairsPerItem: null, judgmentsPerPair: null, cells: imported?.cells ?? 0, slots: 0, balance: null },
    annotators: participants.filter((p) => p.joinedAt !== null).map((p) => ({ annotator: p.label, excluded: p.excludedReason })),
    ratings: def?.ratings ?? {},
  };
}

/** The study's report from the store as it is now, and the judgments it was made from. */
export async function studyReport(slug: string, opts: { conversations?: boolean } = {}): Promise<{ report: StudyReport; rows: StudyJudgmentRow[] }> {
  const study = await requireStudy(slug);
  const rows = (await studyJudgmentRows({ study, conversations: opts.conversations })).map(toReportRow);
  return { report: buildReport(await studyMeta(study), rows), rows };
}

// --- imported studies --------------------------------------------------------------------

/** Published judgments as a study of their own (kind 'imported'): same report, same agreement. */
export async function importStudy(
  input: { slug: string; title: string; source: string; judgments: PairJudgment[] },
  actorUserId: string | null,
): Promise<Study> {
  const slug = slugSchema.safeParse(input.slug);
  if (!slug.success) throw new AppError('validation_failed', `slug: ${slug.error.issues[0].message}`);
  if (input.judgments.length === 0) throw new AppError('validation_failed', 'The file has no usable judgments.');
  const models = [...new Set(input.judgments.flatMap((j) => [j.modelA, j.modelB]))].sort();
  const items = new Set(input.judgments.map((j) => j.item)).size;
  const cells = new Set(input.judgments.map((j) => JSON.stringify([j.item, [j.modelA, j.modelB].sort()]))).size;
  const study = await insertStudy({
    study: {
      slug: slug.data,
      title: input.title,
      kind: 'imported',
      status: 'closed',
      access: 'invite',
      definition: JSON.stringify({ source: input.source, models, items, cells }),
      createdBy: actorUserId,
      items: [],
      slots: [],
    },
  });
  // Judgments without a time keep their file order, a millisecond apart.
  const base = Date.now();
  await insertImportedJudgments({
    studyId: study.id,
    judgments: input.judgments.map((j, k) => ({
      annotator: j.annotator,
      item: j.item,
      modelA: j.modelA,
      modelB: j.modelB,
      winner: j.winner,
      votedAt: j.tstamp !== undefined ? Math.round(j.tstamp * 1000) : base + k,
    })),
  });
  await recordAudit({ actorUserId, action: 'study.import', target: study.slug, after: { source: input.source, judgments: input.judgments.length } });
  return study;
}
