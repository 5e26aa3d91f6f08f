import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDesign } from '../../lib/study/design';
import { openDb } from '../index';
import { insertStudy } from './studies';

/**
 * No repeated assignment under concurrent participants: four processes with three participants
 * each take and judge slots of one study on the same SQLite file at once. Every slot goes to one
 * participant, nobody gets a cell (item x pair) twice, and every slot is judged. The same on
 * Postgres, with participants on several connection pools: studies.stores.test.ts.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function runWorker(file: string, studyId: string, voters: string[]): Promise<Record<string, { slot: number; cell: number }[]>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'db', 'queries', 'studies-race-worker.ts'), file, studyId, ...voters], {
      cwd: ROOT,
      env: { ...process.env, PAIRWISE_ROOT: ROOT },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited ${code}: ${err}`))));
  });
}

describe('study assignment under concurrent participants', () => {
  it('hands every slot to one participant, and no participant a cell twice', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-race-'));
    const file = path.join(dir, 'race.db');
    const db = openDb(file);
    const models = ['m1', 'm2', 'm3', 'm4'];
    const design = buildDesign({ items: 10, models: models.length, design: { kind: 'all-pairs' }, judgmentsPerPair: 4, seed: 9 });
    const study = await insertStudy({
      db,
      study: {
        slug: 'race',
        title: 'Race',
        kind: 'native',
        status: 'open',
        access: 'anonymous',
        definition: '{}',
        createdBy: null,
        items: Array.from({ length: 10 }, (_, i) => ({ kind: 'item' as const, key: String(i), text: `Question ${i}`, category: null, check: null })),
        slots: design.slots.map((s) => ({ kind: 'item' as const, cell: s.cell, item: design.cells[s.cell].item, position: s.position, modelA: models[s.a], modelB: models[s.b] })),
      },
    });
    db.$client.close();
    const groups = [0, 1, 2, 3].map((w) => [0, 1, 2].map((k) => `voter-${w}-${k}`));
    const results = await Promise.all(groups.map((voters) => runWorker(file, study.id, voters)));

    const all = results.flatMap((r) => Object.values(r).flat());
    expect(all.length).toBe(design.slots.length); // 240 slots, 12 participants, 4 per cell
    expect(new Set(all.map((g) => g.slot)).size).toBe(all.length);
    for (const r of results) {
      for (const list of Object.values(r)) expect(new Set(list.map((g) => g.cell)).size).toBe(list.length);
    }
    // Work really was spread over the processes.
    for (const r of results) expect(Object.values(r).flat().length).toBeGreaterThan(0);

    const check = openDb(file);
    const rows = check.$client
      .prepare(`SELECT count(*) AS n, count(DISTINCT participant_id || ':' || cell) AS distinctCells, sum(battle_id IN (SELECT battle_id FROM votes)) AS judged FROM study_slots`)
      .get() as { n: number; distinctCells: number; judged: number };
    expect(rows).toEqual({ n: design.slots.length, distinctCells: design.slots.length, judged: design.slots.length });
    check.$client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
