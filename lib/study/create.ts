import fs from 'node:fs/promises';
import path from 'node:path';
import { insertStudy } from '../../db/queries/studies';
import type { Study } from '../../db/schema';
import { AppError } from '../errors';
import { Rng } from '../rating/random';
import { readAnswers, readQuestions } from '../registry/recorded-set';
import { findModel } from '../registry/lookup';
import { resolveRegistryPath } from '../registry/resolve-paths';
import type { ModelEntry, Registry } from '../registry/schema';
import { describeIssues, studyDefinitionSchema, studyItemSchema, type ResolvedDefinition, type StudyDefinition, type StudyItemInput } from './definition';
import { buildDesign, designBalance, shuffle } from './design';

/**
 * Creating a study: the definition is validated, its prompts resolved (a recorded set's
 * questions, a file, or items given inline; an optional seeded sample), every model checked
 * against the registry, items that a chosen recorded model has no answer for left out (and
 * named), attention checks made, the design built, and everything written in one transaction.
 */

type RecordedEntry = ModelEntry & { provider: Extract<ModelEntry['provider'], { kind: 'recorded' }> };
const isRecorded = (m: ModelEntry): m is RecordedEntry => m.provider.kind === 'recorded';

const bad = (message: string) => new AppError('validation_failed', message);

/** The recorded prompt sets the registry's enabled recorded models answer, by folder. */
export function recordedSets(registry: Registry): { dir: string; name: string; models: string[] }[] {
  const sets = new Map<string, string[]>();
  for (const m of registry.models) if (isRecorded(m) && m.enabled) sets.set(m.provider.set, [...(sets.get(m.provider.set) ?? []), m.id]);
  return [...sets].map(([dir, models]) => ({ dir, name: path.basename(dir), models }));
}

function findSet(registry: Registry, given: string): string {
  const root = process.env.PAIRWISE_ROOT ?? process.cwd();
  const sets = recordedSets(registry);
  const resolved = resolveRegistryPath(given, { baseDir: root, root }).path;
  const byPath = sets.find((s) => path.resolve(s.dir) === path.resolve(resolved));
  if (byPath) return byPath.dir;
  const byName = sets.filter((s) => s.name === given);
  if (byName.length === 1) return byName[0].dir;
  const known = sets.map((s) => s.name).join(', ') || 'none';
  throw bad(`prompts.set: "${given}" is not a recorded prompt set of the registry (known: ${known}).`);
}

async function readItemsFile(file: string): Promise<StudyItemInput[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw bad(`prompts.file: cannot read ${file}: ${(err as Error).message}`);
  }
  const items: StudyItemInput[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      throw bad(`${file}:${i + 1}: not JSON (${(err as Error).message})`);
    }
    const parsed = studyItemSchema.safeParse({ id: raw.id ?? raw.question_id, text: raw.text ?? raw.prompt ?? raw.turns, category: raw.category });
    if (!parsed.success) throw bad(`${file}:${i + 1}: ${describeIssues(parsed.error)}`);
    items.push(parsed.data);
  });
  if (items.length === 0) throw bad(`prompts.file: ${file} has no items`);
  return items;
}

function sample<T>(list: T[], n: number | undefined, seed: number): T[] {
  if (!n || n >= list.length) return list;
  const picked = new Set(shuffle([...list.keys()], new Rng(seed, 0x17)).slice(0, n));
  return list.filter((_, i) => picked.has(i));
}

export interface ResolveOptions {
  /** Folder that `prompts.file` is relative to; without it a file is refused (the console sends items inline). */
  baseDir?: string;
}

/** The definition with everything it refers to read and checked. */
export async function resolveDefinition(registry: Registry, def: StudyDefinition, opts: ResolveOptions = {}): Promise<ResolvedDefinition> {
  const entries = def.models.map((id) => {
    const entry = findModel(registry, id);
    if (!entry) throw bad(`models: "${id}" is not in the registry.`);
    return entry;
  });
  if (new Set(def.models).size !== def.models.length) throw bad('models: a model is listed twice.');

  let items: StudyItemInput[];
  let source: string;
  let setDir: string | null = null;
  if ('set' in def.prompts) {
    setDir = findSet(registry, def.prompts.set);
    const only = def.prompts.questions ? new Set(def.prompts.questions) : null;
    const categories = def.prompts.categories ? new Set(def.prompts.categories) : null;
    const questions = (await readQuestions(setDir)).filter((q) => (!only || only.has(q.questionId)) && (!categories || (q.category && categories.has(q.category))));
    if (only) for (const id of only) if (!questions.some((q) => q.questionId === id)) throw bad(`prompts.questions: "${id}" is not a question of ${path.basename(setDir)}.`);
    items = questions.map((q) => ({ id: q.questionId, text: q.text, ...(q.category ? { category: q.category } : {}) }));
    source = `recorded set ${path.basename(setDir)}`;
  } else if ('file' in def.prompts) {
    if (!opts.baseDir) throw bad('prompts.file: a file of questions is read by `pairwise study create`; here, give the items inline.');
    const file = path.resolve(opts.baseDir, def.prompts.file);
    items = await readItemsFile(file);
    source = `file ${path.basename(file)}`;
  } else {
    items = def.prompts.items;
    source = 'items given inline';
  }
  if (new Set(items.map((i) => i.id)).size !== items.length) throw bad('prompts: two items have the same id.');
  items = sample(items, def.prompts.sample, def.seed);

  // Recorded models answer only their set's questions: an item one of them lacks is left out,
  // so that every cell of the design can be judged.
  const dropped: { id: string; reason: string }[] = [];
  const recorded = entries.filter(isRecorded);
  const answers = new Map<string, Map<string, string>>();
  for (const m of recorded) {
    try {
      answers.set(m.id, await readAnswers(m.provider.answers));
    } catch (err) {
      throw bad(`models: the answers of "${m.id}" cannot be read (${(err as Error).message}).`);
    }
  }
  items = items.filter((item) => {
    const missing = recorded.filter((m) => !answers.get(m.id)!.get(item.id)?.trim()).map((m) => m.id);
    if (missing.length) dropped.push({ id: item.id, reason: `no recorded answer from ${missing.join(', ')}` });
    return missing.length === 0;
  });
  if (items.length === 0) throw bad('prompts: no item is left that every chosen model can answer.');

  let attentionChecks: ResolvedDefinition['attentionChecks'] = null;
  const a = def.attentionChecks;
  if (a && (a.generated > 0 || a.items.length > 0)) {
    const checks: NonNullable<ResolvedDefinition['attentionChecks']>['checks'] = [];
    if (a.generated > 0) {
      const modelId = a.answerModel ?? recorded[0]?.id;
      const model = modelId ? findModel(registry, modelId) : undefined;
      if (!model || !isRecorded(model)) throw bad('attentionChecks.generated: checks are made from recorded answers; name a recorded model as answerModel.');
      const own = answers.get(model.id) ?? (await readAnswers(model.provider.answers));
      const pool = (await readQuestions(model.provider.set)).filter((q) => own.get(q.questionId)?.trim());
      const candidates = items.filter((i) => own.get(i.id)?.trim());
      if (candidates.length < a.generated || pool.length < 2) throw bad(`attentionChecks.generated: only ${candidates.length} items have an answer of "${model.id}".`);
      const rng = new Rng(def.seed, 0xc4);
      for (const item of shuffle([...candidates], rng).slice(0, a.generated)) {
        // The off-topic answer comes from another category where there is one, so it is plainly wrong.
        const others = pool.filter((q) => q.questionId !== item.id);
        const far = others.filter((q) => q.category && item.category && q.category !== item.category);
        const from = far.length ? far : others;
        const off = from[Math.floor(rng.nextDouble() * from.length)];
        checks.push({
          key: `check-${checks.length + 1}`,
          prompt: item.text,
          ...(item.category ? { category: item.category } : {}),
          spec: { kind: 'recorded', model: model.id, questionId: item.id, offTopicQuestionId: off.questionId },
        });
      }
    }
    for (const c of a.items) checks.push({ key: `check-${checks.length + 1}`, prompt: c.prompt, spec: { kind: 'text', good: c.good, bad: c.bad } });
    attentionChecks = { every: a.every, checks };
  }

  const { prompts: _p, attentionChecks: _a, ...rest } = def;
  return { ...rest, prompts: { source, items, dropped }, attentionChecks };
}

export interface CreatedStudy {
  study: Study;
  items: number;
  dropped: { id: string; reason: string }[];
  cells: number;
  slots: number;
  checks: number;
}

/** Validates, resolves and stores a study (status draft, or open when asked). */
export async function createStudy(
  registry: Registry,
  input: unknown,
  opts: ResolveOptions & { createdBy: string | null; open?: boolean; now?: number } = { createdBy: null },
): Promise<CreatedStudy> {
  const parsed = studyDefinitionSchema.safeParse(input);
  if (!parsed.success) throw bad(`Invalid study: ${describeIssues(parsed.error)}.`);
  const def = await resolveDefinition(registry, parsed.data, opts);
  const items = def.prompts.items;
  let design;
  try {
    design = buildDesign({ items: items.length, models: def.models.length, design: def.design, judgmentsPerPair: def.judgmentsPerPair, seed: def.seed });
  } catch (err) {
    throw bad(`design: ${(err as Error).message}.`);
  }
  const checks = def.attentionChecks?.checks ?? [];
  const study = await insertStudy({
    now: opts.now,
    study: {
      slug: def.slug,
      title: def.title,
      kind: 'native',
      status: opts.open ? 'open' : 'draft',
      access: def.access,
      definition: JSON.stringify({ ...def, balance: designBalance(design) }),
      createdBy: opts.createdBy,
      items: [
        ...items.map((i) => ({ kind: 'item' as const, key: i.id, text: i.text, category: i.category ?? null, check: null })),
        ...checks.map((c) => ({ kind: 'check' as const, key: c.key, text: c.prompt, category: c.category ?? null, check: JSON.stringify(c.spec) })),
      ],
      slots: design.slots.map((s) => ({
        kind: 'item' as const,
        cell: s.cell,
        item: design.cells[s.cell].item,
        position: s.position,
        modelA: def.models[s.a],
        modelB: def.models[s.b],
      })),
    },
  });
  return { study, items: items.length, dropped: def.prompts.dropped, cells: design.cells.length, slots: design.slots.length, checks: checks.length };
}

/** The stored definition of a study. */
export function storedDefinition(study: Pick<Study, 'definition'>): ResolvedDefinition & { balance?: ReturnType<typeof designBalance> } {
  return JSON.parse(study.definition) as ResolvedDefinition & { balance?: ReturnType<typeof designBalance> };
}
