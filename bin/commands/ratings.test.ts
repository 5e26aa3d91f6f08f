import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import stringWidth from 'string-width';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { requireSharedData } from '../../lib/shared-data';
import { BattleAggregator, computeRatings } from '../../lib/rating';
import { run } from './ratings';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-ratings-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function write(name: string, text: string): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
}

/** Runs the command in-process, capturing stdout and stderr. */
async function ratings(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (out += `${a.join(' ')}\n`));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (err += `${a.join(' ')}\n`));
  const code = await run(argv);
  vi.restoreAllMocks();
  return { code, out, err };
}

const battles = [
  ['gpt-4', 'claude-2', 'model_a', 1700000000],
  ['claude-2', 'llama-2', 'model_a', 1700000001],
  ['llama-2', 'gpt-4', 'model_b', 1700000002],
  ['gpt-4', 'llama-2', 'tie', 1700000003],
  ['claude-2', 'gpt-4', 'tie (bothbad)', 1700000004],
  ['llama-2', 'claude-2', 'model_a', 1700000005],
  ['gpt-4', 'claude-2', 'model_b', 1700000006],
] as const;
const records = battles.map(([a, b, w, t]) => ({ model_a: a, model_b: b, winner: w, tstamp: t }));
const jsonFile = write('b.json', JSON.stringify(records));
const jsonlFile = write('b.jsonl', records.map((r) => JSON.stringify(r)).join('\n'));
const csvFile = write('b.csv', `model_a,model_b,winner,tstamp\n${battles.map((b) => b.join(',')).join('\n')}\n`);

describe('pairwise ratings', () => {
  it('--help documents every flag and the method', async () => {
    const { code, out } = await ratings('--help');
    expect(code).toBe(0);
    for (const flag of ['FILE', '--input', '--input-format', '--format', '--model', '--ci', '--bootstrap', '--seed', '--anchor', '--provisional-votes', '--shrunk', '--style-control', '--reweight', '--weight-by-probability', '--skip-invalid', '--help']) {
      expect(out).toContain(flag);
    }
    expect(out).toMatch(/virtual tie/);
    expect(out).toMatch(/profile likelihood/);
    expect(out).toMatch(/online Elo is not shifted/);
    expect(out).toMatch(/compresses the rating scale/);
    expect(out).toMatch(/file order/);
  });

  it('prints { battles, models, diagnostics } with --format json (a superset of the documented shape), the same for all three input formats and for FILE or --input', async () => {
    const outs = [];
    for (const f of [jsonFile, jsonlFile, csvFile]) {
      const { code, out } = await ratings('--input', f, '--format', 'json');
      expect(code).toBe(0);
      outs.push(JSON.parse(out));
    }
    const [j] = outs;
    expect(outs[1]).toEqual(j);
    expect(outs[2]).toEqual(j);
    expect(JSON.parse((await ratings(jsonFile, '--format', 'json')).out)).toEqual(j);
    expect(Object.keys(j)).toEqual(['battles', 'models', 'diagnostics']);
    expect(j.battles).toBe(7);
    expect(j.models).toHaveLength(3);
    const documented = ['model', 'rating', 'lower', 'upper', 'rank', 'elo', 'votes', 'wins', 'losses', 'ties'];
    for (const m of j.models) {
      expect(Object.keys(m).slice(0, documented.length)).toEqual(documented);
      expect(Object.keys(m).slice(documented.length)).toEqual(['component', 'provisional', 'provisionalReason', 'winRate', 'decidedWinRate', 'toSeparate']);
    }
    expect(j.models.reduce((s: number, m: { rating: number }) => s + m.rating, 0) / 3).toBeCloseTo(1000, 9);
    expect(j.diagnostics).toMatchObject({
      status: { code: 'ok' },
      model: 'bradley-terry',
      estimator: 'mle',
      ci: 'profile',
      bootstrapRounds: 0,
      bootstrapFallbackRounds: 0,
      components: [{ id: 0, models: 3, battles: 7, estimator: 'mle' }],
      provisional: { votes: 30, models: 3 },
      anchor: null,
      elo: { k: 4, start: 1000, order: 'time', anchored: false },
    });
    expect(j.diagnostics.dispersion.phi).toBeGreaterThan(0);
  });

  it('prints a table with its diagnostics, and a CSV with the same on every row', async () => {
    const { out } = await ratings('--input', jsonFile);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('7 battles, 3 models in 1 component; Bradley-Terry, ties half a win; exact MLE');
    expect(lines[1]).toMatch(/^95% CI: profile likelihood, dispersion 0\.\d{3}, threshold \d+\.\d\d$/);
    expect(lines[2]).toBe('Ranks: Rank (UB); 3 provisional models (fewer than 30 votes) not ranked');
    expect(lines[3]).toBe("Elo: K = 4 in tstamp order, not anchored; ratings: each component's established models average 1000");
    const header = lines.find((l) => l.startsWith('Rank (UB)'))!;
    expect(header).toMatch(/Rank \(UB\)\s+Model\s+Rating\s+95% CI\s+Votes\s+Elo\s+To separate\s+Note/);
    const rows = lines.slice(lines.indexOf(header) + 2);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => /\+\d+\.\d\/-\d+\.\d/.test(r) && r.endsWith('provisional'))).toBe(true);
    const csv = (await ratings('--input', jsonFile, '--format', 'csv')).out.trim().split('\n');
    expect(csv[0]).toBe(
      'rank,model,rating,lower,upper,elo,votes,wins,losses,ties,component,provisional,provisional_reason,win_rate,decided_win_rate,separate_from,battles_to_separate,estimator,ci,ci_rounds,bootstrap_fallback_rounds,dispersion,model_kind,elo_order',
    );
    expect(csv).toHaveLength(4);
    for (const line of csv.slice(1)) expect(line).toMatch(/,0,true,"\d votes, fewer than 30: not ranked",.*,mle,profile,0,0,0\.\d+,bradley-terry,tstamp$/);
  });

  it('keeps the table aligned when a model name holds a line break or wide characters', async () => {
    const names = ['plain', 'line\nbreak', '猫の王様', '🤖 robot', 'tab\there'];
    const recs = [];
    for (let k = 0; k < 400; k++) recs.push({ model_a: names[k % 5], model_b: names[(k * 3 + 1) % 5 === k % 5 ? (k + 1) % 5 : (k * 3 + 1) % 5], winner: k % 3 ? 'model_a' : 'model_b' });
    const f = write('names.json', JSON.stringify(recs));
    const { code, out } = await ratings(f);
    expect(code).toBe(0);
    const lines = out.split('\n');
    const header = lines.findIndex((l) => l.startsWith('Rank (UB)'));
    const table = lines.slice(header, header + 2 + 5);
    expect(table).toHaveLength(7);
    expect(out).toContain('line\\nbreak'); // escaped, on one line
    // every row's "Elo" cell ends at the same display column as the header's
    const endOf = (line: string, cell: string) => stringWidth(line.slice(0, line.indexOf(cell) + cell.length));
    const eloEnd = endOf(table[0], 'Elo');
    for (const row of table.slice(2)) {
      const cells = row.trim().split(/\s{2,}/);
      expect(endOf(row, cells[5])).toBe(eloEnd);
    }
    // and the raw name survives in JSON and CSV
    expect(JSON.parse((await ratings(f, '--format', 'json')).out).models.map((m: { model: string }) => m.model)).toContain('line\nbreak');
    expect((await ratings(f, '--format', 'csv')).out).toContain('"line\nbreak"');
  });

  it('components and provisional models in table, JSON and CSV', async () => {
    const recs = [];
    for (let k = 0; k < 60; k++) recs.push({ model_a: k % 2 ? 'big-a' : 'big-b', model_b: k % 2 ? 'big-b' : 'big-a', winner: k % 3 ? 'model_a' : 'model_b' });
    for (let k = 0; k < 40; k++) recs.push({ model_a: 'big-a', model_b: 'big-c', winner: k % 4 ? 'model_a' : 'tie' });
    for (let k = 0; k < 6; k++) recs.push({ model_a: 'toy-1', model_b: 'toy-2', winner: 'model_a' });
    const f = write('parts.json', JSON.stringify(recs));
    const j = JSON.parse((await ratings(f, '--format', 'json')).out);
    expect(j.diagnostics.components.map((c: { models: number }) => c.models)).toEqual([3, 2]);
    const by = (m: string) => j.models.find((x: { model: string }) => x.model === m);
    expect(by('toy-1')).toMatchObject({ component: 1, provisional: true, rank: 1, provisionalReason: '6 votes, fewer than 30: not ranked' });
    expect(by('big-a')).toMatchObject({ component: 0, provisional: false });
    expect(by('big-a').toSeparate.model).toBe(j.models[1].model);
    const table = (await ratings(f)).out;
    expect(table).toMatch(/2 components/);
    expect(table).toMatch(/within each component \(ratings of different components are not comparable\)/);
    expect(table).toMatch(/Component/);
    const csv = (await ratings(f, '--format', 'csv')).out;
    expect(csv.split('\n').find((l) => l.includes(',toy-1,'))).toMatch(/,1,true,"6 votes, fewer than 30: not ranked",/);
  });

  it('--model davidson reports the tie parameter and the three-outcome log-likelihood', async () => {
    const j = JSON.parse((await ratings(jsonFile, '--format', 'json', '--model', 'davidson')).out);
    expect(j.diagnostics.model).toBe('davidson');
    expect(j.davidson.tieParameter).toBeGreaterThan(0);
    expect(j.davidson.logLikelihood).toBeLessThan(0);
    expect((await ratings(jsonFile, '--model', 'davidson')).out).toMatch(/Davidson: tie parameter nu \d+\.\d{4}, three-outcome log-likelihood -\d+\.\d\d/);
  });

  it('bootstrap with a seed repeats exactly; an anchor shifts the scale and says which columns', async () => {
    const a = await ratings('--input', jsonFile, '--format', 'json', '--bootstrap', '50', '--seed', '3');
    const b = await ratings('--input', jsonFile, '--format', 'json', '--bootstrap=50', '--seed=3');
    expect(a.out).toBe(b.out);
    expect(JSON.parse(a.out).diagnostics).toMatchObject({ ci: 'bootstrap', bootstrapRounds: 50, seed: 3 });
    expect(JSON.parse((await ratings(jsonFile, '--format', 'json', '--ci', 'bootstrap')).out).diagnostics.bootstrapRounds).toBe(1000);
    expect((await ratings(jsonFile, '--bootstrap', '50', '--seed', '3')).out).toMatch(/95% CI: bootstrap percentiles, 50 rounds, seed 3, (no resample needed the fallback|\d+ resamples? without MLE)/);
    const anchored = JSON.parse((await ratings('--input', jsonFile, '--format', 'json', '--anchor', 'gpt-4=1114')).out);
    expect(anchored.models.find((m: { model: string }) => m.model === 'gpt-4').rating).toBeCloseTo(1114, 9);
    expect(anchored.diagnostics.anchor).toMatchObject({ model: 'gpt-4', rating: 1114, shifted: ['rating', 'lower', 'upper'], unshifted: ['elo'] });
    expect((await ratings(jsonFile, '--anchor', 'gpt-4=1114')).out).toMatch(/Elo: K = 4 in tstamp order, not anchored; anchor gpt-4 = 1114: rating, lower and upper shifted by [+-]\d+\.\d/);
  });

  it('--weight-by-probability weighs each battle by 1 / its sampling_probability, scaled to average 1', async () => {
    // Unequal pair frequencies, as an arena that drew some pairs more often records them: the
    // probability each pair was drawn with rides along with every battle.
    let seed = 11;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const pairs = [
      { a: 'gpt-4', b: 'claude-2', p: 0.6, n: 60, pa: 0.7 },
      { a: 'claude-2', b: 'llama-2', p: 0.3, n: 30, pa: 0.6 },
      { a: 'gpt-4', b: 'llama-2', p: 0.1, n: 10, pa: 0.5 },
    ];
    const rows: { model_a: string; model_b: string; winner: string; tstamp: number; sampling_probability: number }[] = [];
    for (const { a, b, p, n, pa } of pairs) {
      for (let k = 0; k < n; k++) rows.push({ model_a: a, model_b: b, winner: rnd() < pa ? 'model_a' : 'model_b', tstamp: 1_700_000_000 + rows.length, sampling_probability: p });
    }
    const file = write('probability.jsonl', rows.map((r) => JSON.stringify(r)).join('\n'));
    const weighted = await ratings(file, '--weight-by-probability', '--format', 'json');
    expect(weighted.code, weighted.err).toBe(0);
    const got = JSON.parse(weighted.out) as { battles: number; weighting: string; models: { model: string; rating: number; lower: number; upper: number; votes: number }[] };
    expect(got.weighting).toBe('sampling-probability');
    expect(got.battles).toBe(100);
    // An independent fit of the same battles with the weights given by hand.
    const mean = rows.reduce((sum, r) => sum + 1 / r.sampling_probability, 0) / rows.length;
    const agg = new BattleAggregator();
    for (const r of rows) agg.add(r.model_a, r.model_b, r.winner as 'model_a', undefined, 1 / r.sampling_probability / mean);
    const direct = computeRatings(agg, { matrices: false });
    for (const m of direct.models) {
      const g = got.models.find((x) => x.model === m.model)!;
      expect(g.rating).toBeCloseTo(m.rating, 9);
      expect(g.lower).toBeCloseTo(m.lower, 9);
      expect(g.votes).toBe(m.votes);
    }
    // And it is not the unweighted fit.
    const plain = JSON.parse((await ratings(file, '--format', 'json')).out) as typeof got;
    expect(plain.weighting).toBeUndefined();
    expect(Math.max(...plain.models.map((m) => Math.abs(m.rating - got.models.find((x) => x.model === m.model)!.rating)))).toBeGreaterThan(1);
    expect((await ratings(file, '--weight-by-probability')).out).toContain('Weights: each battle by 1 / the probability its pair was drawn with');
    // A battle without a probability, a probability out of range, or another weighting: refused.
    const mixed = write('mixed.jsonl', [...rows, { model_a: 'gpt-4', model_b: 'llama-2', winner: 'tie' }].map((r) => JSON.stringify(r)).join('\n'));
    const missing = await ratings(mixed, '--weight-by-probability');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('1 of 101 battles have no sampling_probability');
    const zero = await ratings(write('zero.jsonl', JSON.stringify({ ...rows[0], sampling_probability: 0 })), '--weight-by-probability');
    expect(zero.code).toBe(1);
    expect(zero.err).toMatch(/sampling_probability.*above 0/);
    expect((await ratings(file, '--weight-by-probability', '--reweight')).code).toBe(2);
    expect((await ratings(file, '--weight-by-probability', '--style-control')).code).toBe(2);
  });

  it('runs online Elo in tstamp order even when the file is not sorted', async () => {
    const shuffled = write('shuffled.json', JSON.stringify([...records].reverse()));
    const sorted = JSON.parse((await ratings('--input', jsonFile, '--format', 'json')).out);
    const fromShuffled = JSON.parse((await ratings('--input', shuffled, '--format', 'json')).out);
    expect(fromShuffled).toEqual(sorted);
    const noTime = write('notime.json', JSON.stringify([...records].reverse().map(({ tstamp: _t, ...r }) => r)));
    const fileOrder = JSON.parse((await ratings('--input', noTime, '--format', 'json')).out);
    expect(fileOrder.models.map((m: { elo: number }) => m.elo)).not.toEqual(sorted.models.map((m: { elo: number }) => m.elo));
    expect(fileOrder.diagnostics.elo.order).toBe('file');
    expect((await ratings(noTime)).out).toMatch(/Elo: K = 4 in file order \(no tstamp on every record\), not anchored/);
  });

  it('stops at a malformed record with its number and line, or skips and counts with --skip-invalid', async () => {
    const bad = write('bad.jsonl', [JSON.stringify(records[0]), '{"model_a":"x","model_b":"y","winner":"won"}', JSON.stringify(records[1])].join('\n'));
    const stop = await ratings('--input', bad);
    expect(stop.code).toBe(1);
    expect(stop.err).toMatch(/record 2 \(line 2\): winner must be one of/);
    const skip = await ratings('--input', bad, '--skip-invalid', '--format', 'json');
    expect(skip.code).toBe(0);
    expect(JSON.parse(skip.out).battles).toBe(2);
    expect(skip.err).toMatch(/skipped 1 invalid record/);
  });

  it('rejects bad flags with one line that names the flag (exit 2), and unusable input (exit 1)', async () => {
    const cases: [string[], string][] = [
      [['--input', jsonFile, '--format', 'xml'], '--format must be one of table, json, csv'],
      [['--input', jsonFile, '--bootstrap', '-3'], '--bootstrap needs a value'],
      [['--input', jsonFile, '--bootstrap=-3'], '--bootstrap must be 0 or more'],
      [['--input', jsonFile, '--bootstrap', 'many'], '--bootstrap must be a whole number'],
      [['--input', jsonFile, '--ci', 'bootstrap', '--bootstrap', '0'], '--ci bootstrap needs --bootstrap of at least 1'],
      [['--input', jsonFile, '--ci', 'wald'], '--ci must be one of profile, bootstrap, sandwich'],
      [['--input', jsonFile, '--model', 'elo'], '--model must be one of bradley-terry, davidson'],
      [['--input', jsonFile, '--anchor', 'nonsense'], '--anchor must look like MODEL=RATING'],
      [['--input', jsonFile, '--frobnicate'], 'unknown flag --frobnicate'],
      [['--input', jsonFile, '--reweight=yes'], '--reweight takes no value'],
      [['--input'], '--input needs a value'],
      [[], 'name the battles file (FILE or --input FILE)'],
      [[jsonFile, csvFile], 'one battles file at a time'],
      [['--input', jsonFile, csvFile], 'name the battles file once'],
    ];
    for (const [argv, message] of cases) {
      const { code, err } = await ratings(...argv);
      expect(code).toBe(2);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).toContain(message);
      expect(err).toMatch(/^pairwise ratings: .*\(see pairwise ratings --help\)\n$/);
    }
    expect((await ratings('--input', path.join(tmp, 'missing.json'))).code).toBe(1);
    const anchor = await ratings('--input', jsonFile, '--anchor', 'nobody=1000');
    expect(anchor.code).toBe(1);
    expect(anchor.err).toMatch(/no battles/);
  });

  it('an empty file of battles gives an empty result', async () => {
    const { code, out } = await ratings('--input', write('empty.json', '[]'), '--format', 'json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ battles: 0, models: [], diagnostics: { status: { code: 'no-battles' } } });
  });

  it('--style-control reads conv_metadata and reports the coefficients; with too few such battles it says so', async () => {
    const rows = [];
    for (let k = 0; k < 160; k++) {
      const long = k % 3 !== 0;
      rows.push({
        model_a: k % 2 ? 'verbose' : 'terse',
        model_b: k % 2 ? 'terse' : 'verbose',
        winner: (k % 2 === 1) === long ? 'model_a' : 'model_b',
        conv_metadata: {
          sum_assistant_a_tokens: k % 2 ? 900 : 100,
          sum_assistant_b_tokens: k % 2 ? 100 : 900,
          header_count_a: { h1: k % 2 },
          header_count_b: { h1: 0 },
          list_count_a: { ordered: 0, unordered: k % 5 },
          list_count_b: { ordered: 1, unordered: 0 },
          bold_count_a: { '**': 1, __: 0 },
          bold_count_b: { '**': k % 4, __: 0 },
        },
      });
    }
    const f = write('style.json', JSON.stringify(rows));
    const { code, out } = await ratings('--input', f, '--style-control');
    expect(code).toBe(0);
    expect(out).toMatch(/Style coefficients/);
    expect(out).toMatch(/tokens\s+-?\d+\.\d{4}/);
    expect(out).toMatch(/95% CI: penalised quasi-likelihood curvature \(laplace\)/);
    const few = write('style-few.json', JSON.stringify(rows.slice(0, 60)));
    const fewOut = await ratings(few, '--style-control');
    expect(fewOut.code).toBe(0);
    expect(fewOut.out).toMatch(/Not fitted: style control needs at least 100 battles with style features .*; 60 have them/);
    expect(fewOut.out).toMatch(/No ratings\./);
    const fewJson = await ratings(few, '--style-control', '--format', 'json');
    expect(JSON.parse(fewJson.out)).toMatchObject({ models: [], diagnostics: { status: { code: 'too-few-style-battles' } } });
    expect(fewJson.err).toMatch(/not fitted: style control needs/);
    const noStyle = await ratings('--input', jsonFile, '--style-control');
    expect(noStyle.code).toBe(1);
    expect(noStyle.err).toMatch(/conv_metadata/);
  });

  it('works end to end through the installed command on real data', () => {
    const input = requireSharedData('arena-battles/arena-hard-auto-battles/arena_hard_battles.jsonl');
    const res = spawnSync(process.execPath, ['bin/pairwise.mjs', 'ratings', '--input', input, '--format', 'json', '--bootstrap', '20'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      encoding: 'utf8',
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const j = JSON.parse(res.stdout);
    expect(j.battles).toBe(1348);
    expect(j.models.map((m: { model: string }) => m.model)).toContain('claude-3-haiku-20240307');
  });
});
