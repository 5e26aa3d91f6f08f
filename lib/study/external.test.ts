import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireSharedData } from '../shared-data';

/**
 * Round trip with published judgments: LLMFAO's 8,931 crowd judgments (124 workers) read as
 * crowd-csv, the same judgments written as clean_battle with a judge per row and as an imported
 * study in the store: the same agreement statistics every way, alpha also by the independent
 * formula; MT-Bench's item is question and turn.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-external-'));
process.env.DATABASE_PATH = path.join(dir, 'external.db');
const { readExternalJudgments } = await import('./external');
const { agreementReport, unitTable, krippendorffAlpha } = await import('./agreement');
const { importStudy, studyReport } = await import('./console');
const { alphaFromPairs } = await import('./testing/agreement-oracle');

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const LLMFAO = requireSharedData('preferences/evalica-llmfao/llmfao.csv');

describe('published judgments', () => {
  it('LLMFAO as crowd-csv, as clean_battle and as an imported study: the same agreement', async () => {
    const crowd = await readExternalJudgments(LLMFAO, 'crowd-csv');
    expect(crowd.skipped).toBe(0);
    expect(crowd.judgments).toHaveLength(8931);
    expect(new Set(crowd.judgments.map((j) => j.annotator)).size).toBe(124);
    const direct = agreementReport(crowd.judgments, { rounds: 50, seed: 1 });
    expect(direct.annotators).toBe(124);
    // LLMFAO's winners: left 2911, right 2549, tie 3471.
    expect(direct.positionBias).toMatchObject({ left: 2911, decided: 2911 + 2549, ties: 3471 });
    const units = unitTable(crowd.judgments).units.map((u) => [...u.values.values()]);
    expect(direct.krippendorffAlpha.value).toBeCloseTo(krippendorffAlpha(units)!, 12);
    const sample = units.filter((u) => u.length >= 2).slice(0, 300);
    expect(krippendorffAlpha(sample)).toBeCloseTo(alphaFromPairs(sample), 10);

    const file = path.join(dir, 'llmfao.jsonl');
    fs.writeFileSync(
      file,
      crowd.judgments.map((j) => JSON.stringify({ model_a: j.modelA, model_b: j.modelB, winner: j.winner, judge: j.annotator, question_id: j.item })).join('\n'),
    );
    const asBattles = await readExternalJudgments(file, 'clean-battle');
    expect(agreementReport(asBattles.judgments, { rounds: 50, seed: 1 })).toEqual(direct);

    await importStudy({ slug: 'llmfao', title: 'LLMFAO', source: 'llmfao.csv (crowd-csv)', judgments: crowd.judgments }, null);
    const { report } = await studyReport('llmfao', { conversations: false });
    expect(report.study.kind).toBe('imported');
    expect(report.judgments.counted).toBe(8931);
    const stored = agreementReport(
      (await studyReport('llmfao', { conversations: false })).rows.map((r) => ({ ...r, readMs: null })),
      { rounds: 50, seed: 1 },
    );
    expect(stored).toEqual(direct);
    expect(report.agreement.krippendorffAlpha.value).toBeCloseTo(direct.krippendorffAlpha.value!, 12);
    expect(report.ratings.models).toHaveLength(new Set(crowd.judgments.flatMap((j) => [j.modelA, j.modelB])).size);
  });

  it('MT-Bench human judgments: each turn is an item of its own; unusable records are named', async () => {
    const file = path.join(dir, 'mt-bench.jsonl');
    const rows = [
      { question_id: 81, model_a: 'gpt-4', model_b: 'alpaca-13b', winner: 'model_a', judge: 'author_0', turn: 1 },
      { question_id: 81, model_a: 'alpaca-13b', model_b: 'gpt-4', winner: 'model_b', judge: 'author_1', turn: 1 },
      { question_id: 81, model_a: 'gpt-4', model_b: 'alpaca-13b', winner: 'tie', judge: 'author_0', turn: 2 },
      { question_id: 81, model_a: 'gpt-4', model_b: 'alpaca-13b', winner: 'model_b', judge: 'author_1', turn: 2 },
      { question_id: 82, model_a: 'gpt-4', model_b: 'alpaca-13b', winner: 'model_a', turn: 1 },
      { question_id: 82, model_a: 'gpt-4', model_b: 'alpaca-13b', winner: 'win', judge: 'author_1', turn: 1 },
    ];
    fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    const read = await readExternalJudgments(file, 'mt-bench');
    expect(read.judgments.map((j) => j.item)).toEqual(['81/1', '81/1', '81/2', '81/2']);
    expect(read.skipped).toBe(2);
    expect(read.problems.some((p) => /^record 5 \(line 5\): no judge/.test(p))).toBe(true);
    expect(read.problems.some((p) => /^record 6 \(line 6\): winner/.test(p))).toBe(true);
    const a = agreementReport(read.judgments, { rounds: 0 });
    // Turn 1: both prefer gpt-4 (sides swapped); turn 2: tie vs alpaca-13b. Raw agreement 1 of 2.
    expect(a.units).toBe(2);
    expect(a.pairwiseAgreement).toBe(0.5);
  });

  it('a crowd-csv without the needed columns is refused with a message naming them', async () => {
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, 'prompt,winner\n1,left\n');
    await expect(readExternalJudgments(file, 'crowd-csv')).rejects.toThrow(/missing: worker, left, right/);
  });
});
