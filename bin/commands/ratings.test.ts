import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { requireSharedData } from '../../lib/shared-data';
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
  it('--help documents every flag', async () => {
    const { code, out } = await ratings('--help');
    expect(code).toBe(0);
    for (const flag of ['--input', '--input-format', '--format', '--bootstrap', '--seed', '--ci', '--anchor', '--style-control', '--reweight', '--skip-invalid', '--help']) {
      expect(out).toContain(flag);
    }
    expect(out).toMatch(/virtual tie/);
  });

  it('prints exactly { battles, models } with --format json, the same for all three input formats', async () => {
    const outs = [];
    for (const f of [jsonFile, jsonlFile, csvFile]) {
      const { code, out } = await ratings('--input', f, '--format', 'json');
      expect(code).toBe(0);
      outs.push(JSON.parse(out));
    }
    const [j] = outs;
    expect(outs[1]).toEqual(j);
    expect(outs[2]).toEqual(j);
    expect(Object.keys(j)).toEqual(['battles', 'models']);
    expect(j.battles).toBe(7);
    expect(j.models).toHaveLength(3);
    for (const m of j.models) expect(Object.keys(m)).toEqual(['model', 'rating', 'lower', 'upper', 'rank', 'elo', 'votes', 'wins', 'losses', 'ties']);
    expect(j.models.reduce((s: number, m: { rating: number }) => s + m.rating, 0) / 3).toBeCloseTo(1000, 9);
  });

  it('prints an aligned table and a CSV', async () => {
    const { out } = await ratings('--input', jsonFile);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^7 battles, 3 models; 95% CI: sandwich; Elo in tstamp order/);
    const header = lines[2];
    expect(header).toMatch(/Rank \(UB\)\s+Model\s+Rating\s+95% CI\s+Votes\s+Elo/);
    const rows = lines.slice(4);
    expect(rows).toHaveLength(3);
    // right-aligned numeric columns end at the same place on every row
    const ends = rows.map((r) => r.length);
    expect(new Set(ends).size).toBe(1);
    expect(rows.every((r) => /\+\d+\.\d\/-\d+\.\d/.test(r))).toBe(true);
    const csv = (await ratings('--input', jsonFile, '--format', 'csv')).out.trim().split('\n');
    expect(csv[0]).toBe('rank,model,rating,lower,upper,elo,votes,wins,losses,ties');
    expect(csv).toHaveLength(4);
  });

  it('bootstrap with a seed repeats exactly; an anchor shifts the scale', async () => {
    const a = await ratings('--input', jsonFile, '--format', 'json', '--bootstrap', '50', '--seed', '3');
    const b = await ratings('--input', jsonFile, '--format', 'json', '--bootstrap=50', '--seed=3');
    expect(a.out).toBe(b.out);
    const anchored = JSON.parse((await ratings('--input', jsonFile, '--format', 'json', '--anchor', 'gpt-4=1114')).out);
    expect(anchored.models.find((m: { model: string }) => m.model === 'gpt-4').rating).toBeCloseTo(1114, 9);
  });

  it('runs online Elo in tstamp order even when the file is not sorted', async () => {
    const shuffled = write('shuffled.json', JSON.stringify([...records].reverse()));
    const sorted = JSON.parse((await ratings('--input', jsonFile, '--format', 'json')).out);
    const fromShuffled = JSON.parse((await ratings('--input', shuffled, '--format', 'json')).out);
    expect(fromShuffled).toEqual(sorted);
    const noTime = write('notime.json', JSON.stringify([...records].reverse().map(({ tstamp: _t, ...r }) => r)));
    const fileOrder = JSON.parse((await ratings('--input', noTime, '--format', 'json')).out);
    expect(fileOrder.models.map((m: { elo: number }) => m.elo)).not.toEqual(sorted.models.map((m: { elo: number }) => m.elo));
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

  it('rejects bad flags (exit 2) and unusable input (exit 1)', async () => {
    expect((await ratings('--input', jsonFile, '--format', 'xml')).code).toBe(2);
    expect((await ratings('--input', jsonFile, '--bootstrap', '-3')).code).toBe(2);
    expect((await ratings('--input', jsonFile, '--ci', 'bootstrap', '--bootstrap', '0')).code).toBe(2);
    expect((await ratings('--input', jsonFile, '--anchor', 'nonsense')).code).toBe(2);
    expect((await ratings('--input', jsonFile, '--frobnicate')).code).toBe(2);
    expect((await ratings()).code).toBe(2);
    expect((await ratings('--input', path.join(tmp, 'missing.json'))).code).toBe(1);
    const anchor = await ratings('--input', jsonFile, '--anchor', 'nobody=1000');
    expect(anchor.code).toBe(1);
    expect(anchor.err).toMatch(/no battles/);
  });

  it('an empty file of battles gives an empty result', async () => {
    const { code, out } = await ratings('--input', write('empty.json', '[]'), '--format', 'json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ battles: 0, models: [] });
  });

  it('--style-control reads conv_metadata and reports the coefficients', async () => {
    const rows = [];
    for (let k = 0; k < 60; k++) {
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
