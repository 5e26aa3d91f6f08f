import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `pairwise backup` against a store that another process keeps writing to, the way the app does
 * in WAL mode: the copy is a complete, consistent database; a plain file copy would not be.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-backup-'));
const store = path.join(dir, 'live.db');
const cli = (args: string[]) =>
  spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), ...args], {
    env: { ...process.env, DATABASE_PATH: store },
    encoding: 'utf8',
  });

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('pairwise backup', () => {
  it('copies a store that is being written to, consistently, and refuses to overwrite without --force', async () => {
    // Create and migrate the store through the tool itself (an import of one battle into a new store).
    const seed = path.join(dir, 'seed.jsonl');
    fs.writeFileSync(seed, '{"model_a":"m1","model_b":"m2","winner":"tie"}\n');
    const created = cli(['import', seed, '--create']);
    expect(created.status, created.stderr).toBe(0);
    // A writer that keeps inserting battles and votes in WAL mode, like the app, and never checkpoints.
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(store)});
         db.pragma('journal_mode = WAL'); db.pragma('wal_autocheckpoint = 0');
         const b = db.prepare("INSERT INTO battles (id, model_a, model_b, mode, status, created_at, updated_at) VALUES (?, 'x', 'y', 'live', 'voted', 0, 0)");
         const v = db.prepare("INSERT INTO votes (battle_id, winner, created_at) VALUES (?, 'tie', 0)");
         let k = 0; const t = setInterval(() => { for (let i = 0; i < 50; i++) { const id = 'b' + (k++); db.transaction(() => { b.run(id); v.run(id); })(); } }, 5);
         process.on('SIGTERM', () => { clearInterval(t); process.exit(0); });
         setTimeout(() => process.stdout.write('ready\\n'), 300);`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => writer.stdout!.once('data', () => resolve()));
    const before = new Database(store, { readonly: true });
    const atStart = (before.prepare('SELECT count(*) AS n FROM votes').get() as { n: number }).n;
    before.close();
    expect(atStart).toBeGreaterThan(0);

    const out = path.join(dir, 'copy.db');
    const res = cli(['backup', out]);
    writer.kill('SIGTERM');
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Backed up .* \(\d+ battles, \d+ votes, 0 accounts\)/);

    const copy = new Database(out, { readonly: true });
    const votes = (copy.prepare('SELECT count(*) AS n FROM votes').get() as { n: number }).n;
    const orphans = (copy.prepare('SELECT count(*) AS n FROM votes WHERE battle_id NOT IN (SELECT id FROM battles)').get() as { n: number }).n;
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
    expect(votes).toBeGreaterThanOrEqual(atStart);
    expect(orphans).toBe(0);

    // A plain copy of the .db file alone misses what is still in the WAL file.
    const plain = path.join(dir, 'plain.db');
    fs.copyFileSync(store, plain);
    const p = new Database(plain, { readonly: true });
    const plainVotes = (p.prepare('SELECT count(*) AS n FROM votes').get() as { n: number }).n;
    p.close();
    expect(plainVotes).toBeLessThan(votes);

    const again = cli(['backup', out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('pass --force');
    expect(cli(['backup', out, '--force']).status).toBe(0);
    expect(cli(['backup']).status).toBe(2);
  }, 60_000);
});
