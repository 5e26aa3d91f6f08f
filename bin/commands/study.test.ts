import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** `pairwise study` on a fresh store: create from a file with a questions file, invite, progress, report, mistakes. */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-study-cli-'));
const env = { ...process.env, DATABASE_PATH: path.join(dir, 'store.db'), MODELS_FILE: path.join(ROOT, 'models.json') };
const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), 'study', ...args], { cwd: dir, env, encoding: 'utf8' });

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('pairwise study', () => {
  it('creates a study from a definition file and a questions file, invites, reports', () => {
    // Vicuna-80 ids, so the recorded models find their answers; one id they do not have is left out.
    fs.writeFileSync(
      path.join(dir, 'questions.jsonl'),
      [
        { question_id: 1, text: 'How can I improve my time management skills?' },
        { question_id: 2, text: 'What are the most effective ways to deal with stress?' },
        { question_id: 'extra', text: 'A question nobody recorded an answer to.' },
      ]
        .map((q) => JSON.stringify(q))
        .join('\n'),
    );
    fs.writeFileSync(
      path.join(dir, 'study.json'),
      JSON.stringify({
        slug: 'cli-study',
        title: 'CLI study',
        prompts: { file: 'questions.jsonl' },
        models: ['gpt-4', 'claude-v1', 'bard', 'alpaca-13b'],
        design: { kind: 'balanced-incomplete', pairsPerItem: 2 },
        judgmentsPerPair: 3,
        access: 'invite',
      }),
    );
    const created = cli('create', 'study.json', '--open');
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toContain('Created study "cli-study" (open): 2 items, 4 item-pair cells, 12 planned judgments, 0 attention checks.');
    expect(created.stdout).toContain('left out item extra: no recorded answer from gpt-4, claude-v1, bard, alpaca-13b');

    const invites = cli('invites', 'cli-study', '--count', '2', '--base-url', 'https://arena.example.org');
    expect(invites.status, invites.stderr).toBe(0);
    const lines = invites.stdout.trim().split('\n');
    expect(lines[0]).toBe('annotator,code,link');
    expect(lines[1]).toMatch(/^annotator-01,[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5},https:\/\/arena\.example\.org\/study\/cli-study\?code=/);

    expect(cli('list').stdout).toMatch(/cli-study\s+open\s+native\s+0 of 12 judgments, 2 participants\s+CLI study/);
    expect(cli('progress', 'cli-study').stdout).toContain('0 of 12 judged');

    const report = cli('report', 'cli-study', '--out-dir', 'bundle');
    expect(report.status, report.stderr).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'bundle')).sort()).toEqual(['README.md', 'judgments.csv', 'judgments.json', 'report.html', 'report.json', 'report.md']);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'bundle', 'report.json'), 'utf8')).judgments.counted).toBe(0);
  });

  it('says what is wrong', () => {
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ slug: 'Bad Slug', title: '', prompts: { set: 'nope' }, models: ['gpt-4'] }));
    const bad = cli('create', 'bad.json');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/slug: lower-case letters/);
    expect(bad.stderr).toMatch(/models: Too small/i);
    const unknown = cli('create', 'missing.json');
    expect(unknown.status).toBe(1);
    expect(cli('exclude', 'cli-study', 'annotator-01').stderr).toMatch(/--reason is required/);
    expect(cli('exclude', 'cli-study', 'annotator-09', '--reason', 'x').stderr).toMatch(/No annotator "annotator-09"/);
    expect(cli('frobnicate').status).toBe(2);
  });
});
