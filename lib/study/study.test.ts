import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A whole study through its use cases on a real SQLite file, the real recorded providers on the
 * Vicuna-80 answers and the battle machinery: three participants go through their assigned
 * items and attention checks; then the report, its bundle, and the command-line tool reproducing
 * the bundle's ratings and agreement.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-study-'));
process.env.DATABASE_PATH = path.join(dir, 'study.db');

const { getDb } = await import('../../db/index');
const { executeTurn } = await import('../battle/turns');
const { storeTurnLock } = await import('../battle/turn-lock');
const { buildLeakWords, leakMatcher } = await import('../battle/leak-check');
const { createProvider } = await import('../providers/create-provider');
const { loadRegistry } = await import('../registry/load');
const { createStudy } = await import('./create');
const { joinStudy, nextItem, judgeItem, participantView } = await import('./participate');
const { setExclusion, studyOverview, studyReport } = await import('./console');
const { bundleZip } = await import('./bundle');
const { ratingsCommand, ratingsOf } = await import('./report');
type Deps = import('../battle/deps').BattleDeps;

const MODELS = ['gpt-4', 'claude-v1', 'vicuna-13b'];
let deps: Deps;

beforeAll(async () => {
  getDb();
  const file = await loadRegistry({ file: path.join(ROOT, 'models.json'), dataRoot: ROOT });
  // Recorded answers stream fast here; the pacing is not what is tested.
  const models = file.models
    .filter((m) => m.provider.kind === 'recorded')
    .map((m) => ({ ...m, provider: { ...m.provider, charsPerSecond: 1_000_000 } }) as typeof m);
  const registry = { ...file, models };
  const providers = new Map<string, ReturnType<typeof createProvider>>();
  deps = {
    registry: () => registry,
    provider: (id) => {
      if (!providers.has(id)) providers.set(id, createProvider(models.find((m) => m.id === id)!));
      return providers.get(id)!;
    },
    isHealthy: async () => true,
    recordedPrompts: async () => [],
    leak: () => leakMatcher(buildLeakWords(models)),
    turns: storeTurnLock(),
  };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const actor = (voterId: string) => ({ voterId, userId: null, network: 'net', user: null });

/** Runs the participant's next item to its end; returns the battle id, or null when done. */
async function takeNext(slug: string, who: ReturnType<typeof actor>): Promise<{ battleId: string; answers: Record<'a' | 'b', string> } | null> {
  const next = await nextItem(deps, slug, who);
  if (next.kind === 'done') return null;
  const answers = { a: '', b: '' };
  let battleId = '';
  const events = next.kind === 'replay' ? next.events : [];
  if (next.kind === 'turn') await executeTurn(deps, next.prepared, { emit: (e) => events.push(e) });
  for (const e of events) {
    if (e.type === 'battle') battleId = e.battleId;
    if (e.type === 'delta') answers[e.side] += e.text;
  }
  return { battleId, answers };
}

describe('a study on the Vicuna-80 recorded answers', () => {
  const slug = 'vicuna-pilot';
  let created: Awaited<ReturnType<typeof createStudy>>;

  it('is created from a definition, with its design and attention checks', async () => {
    created = await createStudy(
      deps.registry(),
      {
        slug,
        title: 'Vicuna-80 pilot',
        prompts: { set: '@data/recorded-answers/vicuna80', sample: 5 },
        models: MODELS,
        judgmentsPerPair: 2,
        access: 'anonymous',
        consent: 'I agree to take part.',
        attentionChecks: { every: 4, generated: 2 },
        seed: 3,
      },
      { createdBy: null, open: true },
    );
    expect(created).toMatchObject({ items: 5, cells: 15, slots: 30, checks: 2 });
    expect(created.study.status).toBe('open');
  });

  it('three participants judge their assigned items; nobody gets an item and pair twice', async () => {
    const people = ['v1', 'v2', 'v3'].map(actor);
    for (const p of people) {
      await expect(nextItem(deps, slug, p)).rejects.toMatchObject({ code: 'forbidden' });
      await joinStudy(slug, p, {});
      await expect(nextItem(deps, slug, p)).rejects.toMatchObject({ code: 'consent_required' });
      await joinStudy(slug, p, { agree: true });
    }
    const seen = new Map<string, Set<string>>();
    let turn = 0;
    for (let round = 0; round < 40; round++) {
      let any = false;
      for (const p of people) {
        const item = await takeNext(slug, p);
        if (!item) continue;
        any = true;
        // Nothing the participant receives names a model.
        for (const m of deps.registry().models) {
          for (const text of [item.answers.a, item.answers.b]) expect(text.includes(m.name)).toBe(false);
        }
        expect(item.answers.a.length).toBeGreaterThan(0);
        const winners = ['model_a', 'model_b', 'tie', 'model_a', 'tie (bothbad)', 'model_b'] as const;
        const { progress } = await judgeItem(deps, slug, p, { battleId: item.battleId, winner: winners[turn++ % winners.length] });
        expect(progress.done).toBeLessThanOrEqual(progress.total);
        const set = seen.get(p.voterId) ?? new Set();
        set.add(item.battleId);
        seen.set(p.voterId, set);
      }
      if (!any) break;
    }
    const overview = await studyOverview(slug);
    expect(overview.totals).toMatchObject({ planned: 30, judged: 30, held: 0, participants: 3 });
    for (const row of overview.perPair) expect(row.judged).toBe(10);
    for (const row of overview.perItem) expect(row.judged).toBe(6);
    // Each participant judged each cell at most once: 15 cells, 2 judgments each, 3 people.
    for (const p of overview.participants) {
      expect(p.judged).toBeLessThanOrEqual(15);
      expect(p.checks).toBeGreaterThanOrEqual(1);
    }
    const view = await participantView(deps, slug, people[0]);
    expect(view.finished).toBe(true);
    expect(view.progress!.done).toBe(view.progress!.total);
  });

  it('a judgment is refused on a battle that is not the participant’s', async () => {
    const { rows } = await studyReport(slug, { conversations: false });
    expect(rows.length).toBeGreaterThan(30);
    const other = actor('v-unknown');
    await joinStudy(slug, other, { agree: true });
    const held = await nextItem(deps, slug, other);
    expect(held.kind).toBe('done'); // every cell is fully judged
  });

  it('the bundle reproduces: pairwise ratings on judgments.json equals the report, and study analyze its agreement', async () => {
    const { report, rows } = await studyReport(slug);
    expect(report.judgments.counted).toBe(30);
    expect(report.judgments.attentionChecks).toBe(rows.filter((r) => r.kind === 'check').length);
    expect(report.ratings.models.map((m) => m.model).sort()).toEqual([...MODELS].sort());
    const zip = unzipSync(bundleZip(report, rows));
    const out = path.join(dir, 'bundle');
    fs.mkdirSync(out);
    for (const [name, bytes] of Object.entries(zip)) fs.writeFileSync(path.join(out, path.basename(name)), bytes);
    expect(Object.keys(zip).sort()).toEqual(['README.md', 'judgments.csv', 'judgments.json', 'report.html', 'report.json', 'report.md'].map((f) => `${slug}/${f}`));
    const cli = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), ...args], { cwd: out, encoding: 'utf8' });
    const ratings = cli(report.ratings.command.split(' ').slice(2));
    expect(ratings.status, ratings.stderr).toBe(0);
    const fromCli = JSON.parse(ratings.stdout) as { battles: number; models: unknown[] };
    const saved = JSON.parse(strFromU8(zip[`${slug}/report.json`])) as typeof report;
    expect(fromCli.battles).toBe(saved.ratings.battles);
    expect(fromCli.models).toEqual(saved.ratings.models);
    const analyze = cli(['study', 'analyze', 'judgments.json', '--json']);
    expect(analyze.status, analyze.stderr).toBe(0);
    expect(JSON.parse(analyze.stdout)).toEqual(saved.agreement);
    expect(strFromU8(zip[`${slug}/report.md`])).toContain("Krippendorff's alpha");

    // With a bootstrap (the command runs it on worker threads from 400 rounds): still the same numbers.
    const records = JSON.parse(fs.readFileSync(path.join(out, 'judgments.json'), 'utf8')) as Parameters<typeof ratingsOf>[0];
    const options = { bootstrap: 500, seed: 7 };
    const boot = cli(ratingsCommand(options).split(' ').slice(2));
    expect(boot.status, boot.stderr).toBe(0);
    expect((JSON.parse(boot.stdout) as { models: unknown[] }).models).toEqual(JSON.parse(JSON.stringify(ratingsOf(records, options).result.models)));
  });

  it('excluding an annotator, with a reason, refits the report', async () => {
    const before = (await studyReport(slug, { conversations: false })).report;
    const label = before.annotators[0].annotator;
    await setExclusion(slug, label, 'failed attention checks', null);
    const after = (await studyReport(slug, { conversations: false })).report;
    expect(after.judgments.counted).toBe(before.judgments.counted - before.annotators[0].counted);
    expect(after.ratings.battles).toBe(after.judgments.counted);
    expect(after.annotators[0]).toMatchObject({ annotator: label, excluded: 'failed attention checks' });
    expect(after.agreement.annotators).toBe(before.agreement.annotators - 1);
    await setExclusion(slug, label, null, null);
    expect((await studyReport(slug, { conversations: false })).report.judgments.counted).toBe(before.judgments.counted);
  });
});

describe('who may take part', () => {
  it('a signed-in study asks anonymous visitors to sign in, and knows an account across browsers', async () => {
    await createStudy(
      deps.registry(),
      { slug: 'accounts-only', title: 'Accounts only', prompts: { set: 'vicuna80', questions: [1, 2] }, models: MODELS, access: 'signed-in', judgmentsPerPair: 1 },
      { createdBy: null, open: true },
    );
    const anonymous = actor('browser-1');
    expect((await participantView(deps, 'accounts-only', anonymous)).needs).toBe('sign-in');
    await expect(joinStudy('accounts-only', anonymous, {})).rejects.toMatchObject({ code: 'unauthorized' });
    const signedIn = { voterId: 'browser-1', userId: 'user-1', network: 'net', user: { id: 'user-1' } };
    const joined = await joinStudy('accounts-only', signedIn, {});
    expect(joined.label).toBe('annotator-01');
    const otherBrowser = { ...signedIn, voterId: 'browser-2' };
    expect((await participantView(deps, 'accounts-only', otherBrowser)).participant).toEqual({ label: 'annotator-01' });
    expect((await joinStudy('accounts-only', otherBrowser, {})).id).toBe(joined.id);
  });

  it('a draft or closed study hands out nothing', async () => {
    await createStudy(deps.registry(), { slug: 'not-yet', title: 'Not yet', prompts: { set: 'vicuna80', questions: [1] }, models: MODELS, access: 'anonymous' }, { createdBy: null });
    await expect(joinStudy('not-yet', actor('v9'), {})).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/not started/) });
    await expect(nextItem(deps, 'missing-study', actor('v9'))).rejects.toMatchObject({ code: 'not_found' });
  });
});
