import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The first board after a start comes from the counts pass, and the wait for it ends there: the
 * full pass that follows (style control, history, trust) is not waited for. Real rating workers
 * (through tsx) on a temporary SQLite store.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-load-board-'));
process.env.DATABASE_PATH = path.join(dir, 'store.db');

const { getDb } = await import('../../db/index');
const { readFullPassMark } = await import('../../db/queries/ratings-input');
const { importBattles } = await import('./import-battles');
const { loadBoard } = await import('./load-board');
const { ratingsRefresher } = await import('./refresher');

afterAll(() => {
  getDb().$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the first board after a start', () => {
  it('is answered once the counts pass stored it, before the full pass has run', async () => {
    const models = ['alpha', 'bravo', 'charlie', 'delta'];
    const lines = Array.from({ length: 400 }, (_, k) =>
      JSON.stringify({ model_a: models[k % 4], model_b: models[(k + 1 + (k % 3)) % 4], winner: k % 3 ? 'model_a' : 'model_b', tstamp: 1_700_000_000 + k }),
    );
    const file = path.join(dir, 'battles.jsonl');
    fs.writeFileSync(file, lines.join('\n'));
    await importBattles({ db: getDb(), file });

    const state = await loadBoard({ category: 'overall', styleControl: false, waitMs: 60_000 });
    expect(state.kind).toBe('ready');
    if (state.kind !== 'ready') return;
    expect(state.board.result.battles).toBe(400);
    expect(state.freshness.pass).toBe('counts');
    // The full pass starts after the counts pass and takes a worker's start-up at least: not done yet.
    expect(state.freshness.fullPass).toBeNull();
    expect(await readFullPassMark()).toBeNull();
    // Style control comes from the full pass: asked for before its first boards, it is on its way.
    expect((await loadBoard({ category: 'overall', styleControl: true })).kind).toBe('computing');

    // It follows; a request for style control waits for it.
    const styled = await loadBoard({ category: 'overall', styleControl: true, waitMs: 60_000 });
    expect(styled.kind).not.toBe('computing');
    expect(await readFullPassMark()).not.toBeNull();
    expect(await ratingsRefresher().settled(60_000)).toBe(true);
  }, 120_000);
});
