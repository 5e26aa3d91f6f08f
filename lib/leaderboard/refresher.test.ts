import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The refresher against a real temporary store. Votes are append-only except for one case: an
 * import that fails part-way (a file cut short) removes the batches it had already committed,
 * and a rating pass may have counted them in between.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-refresher-'));
process.env.DATABASE_PATH = path.join(dir, 'store.db');

const { getDb } = await import('../../db/index');
const { discardImport } = await import('../../db/queries/imports');
const { recomputeExclusions } = await import('../../db/queries/exclusions');
const { ratingsInputStamp } = await import('../../db/queries/ratings-input');
const { importBattles } = await import('./import-battles');
const { readBoard } = await import('./read-board');
const { ratingsRefresher } = await import('./refresher');

afterAll(() => {
  getDb().$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function battleFile(name: string, count: number, offset: number): string {
  const models = ['alpha', 'bravo', 'charlie'];
  const lines: string[] = [];
  for (let k = 0; k < count; k++) {
    const a = (k + offset) % 3;
    lines.push(JSON.stringify({ model_a: models[a], model_b: models[(a + 1) % 3], winner: k % 4 ? 'model_a' : 'tie', tstamp: 1_700_000_000 + offset + k }));
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}

async function overallBattles(): Promise<number | undefined> {
  return (await readBoard({ category: 'overall', styleControl: false }))?.result.battles;
}

describe('ratings refresher', () => {
  it('recomputes the boards when votes it had counted are removed by a discarded import', async () => {
    const db = getDb();
    await importBattles({ db, file: battleFile('kept.jsonl', 100, 0) });
    const refresher = ratingsRefresher();
    expect(await refresher.settled(30_000)).toBe(true);
    expect(await overallBattles()).toBe(100);

    const partial = await importBattles({ db, file: battleFile('partial.jsonl', 50, 1000) });
    expect(await refresher.settled(30_000)).toBe(true);
    expect(await overallBattles()).toBe(150);

    // What a failed import does with the batches it had committed.
    await discardImport({ db, importId: partial.importId });
    expect(await refresher.settled(30_000)).toBe(true);
    expect(await overallBattles()).toBe(100);
  }, 60_000);

  it('recomputes the boards when counted votes are excluded or restored, though no vote was added', async () => {
    const db = getDb();
    const refresher = ratingsRefresher();
    expect(await refresher.settled(30_000)).toBe(true);
    const before = await overallBattles();
    const ids = (db.$client.prepare('SELECT id FROM votes ORDER BY id LIMIT 3').all() as { id: number }[]).map((r) => r.id);
    for (const id of ids) {
      db.$client.prepare(`UPDATE votes SET moderation = 'exclude', moderation_note = 'spam' WHERE id = ?`).run(id);
      await recomputeExclusions({ scope: { voteId: id } });
    }
    expect(await refresher.settled(30_000)).toBe(true);
    expect(await overallBattles()).toBe(before! - 3);
    db.$client.prepare(`UPDATE votes SET moderation = 'restore' WHERE id = ?`).run(ids[0]);
    await recomputeExclusions({ scope: { voteId: ids[0] } });
    expect(await refresher.settled(30_000)).toBe(true);
    expect(await overallBattles()).toBe(before! - 2);
  }, 60_000);

  it('keeps the full pass spaced after one another process announced, while the counts pass carries the votes', async () => {
    const db = getDb();
    const refresher = ratingsRefresher();
    expect(await refresher.settled(30_000)).toBe(true);
    const ownLast = refresher.status().lastRun!;
    // Another process's full pass that took a minute: none here for the next four.
    refresher.heard({ pass: 'full', input: refresher.status().latest, ms: 60_000 });
    const battles = await overallBattles();
    await importBattles({ db, file: battleFile('later.jsonl', 20, 5000) });
    const { voteId } = await ratingsInputStamp();
    expect(await refresher.until(() => refresher.status().countsThrough?.voteId === voteId, 30_000)).toBe(true);
    // Past the debounce and past this process's own spacing: its own last pass alone would let one start.
    await new Promise((r) => setTimeout(r, Math.max(3_000, 5 * ownLast.ms + 1_500)));
    const s = refresher.status();
    expect(s.current).toBe(false);
    expect(s.lastRun!.finishedAt).toBe(ownLast.finishedAt);
    expect(await overallBattles()).toBe(battles! + 20);
  }, 60_000);
});
