import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../db/testing/postgres-server';

/**
 * `pairwise migrate-store` through the command itself, from a real SQLite file into a real
 * Postgres server: the counts it prints are the counts in Postgres, a store that keeps being
 * written to is copied as of one moment, and a wrong target is refused with a clear line.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-migrate-store-'));
const store = path.join(dir, 'arena.db');
const cli = (args: string[], database = store) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), ...args], { env: { ...process.env, DATABASE_PATH: database } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function count(url: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(sql)).rows[0].n);
  } finally {
    await client.end();
  }
}

describe('pairwise migrate-store', () => {
  it('copies a store that is being written to, as of one moment, and prints the counts it checked', async () => {
    const battles = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({ model_a: `m${i % 5}`, model_b: `m${(i + 1) % 5}`, winner: ['model_a', 'model_b', 'tie'][i % 3], tstamp: 1_700_000_000 + i }),
    );
    fs.writeFileSync(path.join(dir, 'seed.jsonl'), `${battles.join('\n')}\n`);
    const imported = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), 'import', path.join(dir, 'seed.jsonl'), '--create'], {
      env: { ...process.env, DATABASE_PATH: store },
      encoding: 'utf8',
    });
    expect(imported.status, imported.stderr).toBe(0);

    // A writer adding battles with their vote, one transaction each, as the app does.
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(store)});
         db.pragma('journal_mode = WAL'); db.pragma('busy_timeout = 5000');
         const b = db.prepare("INSERT INTO battles (id, model_a, model_b, mode, status, created_at, updated_at) VALUES (?, 'x', 'y', 'live', 'voted', 0, 0)");
         const v = db.prepare("INSERT INTO votes (battle_id, winner, created_at) VALUES (?, 'tie', 0)");
         let k = 0; const t = setInterval(() => { for (let i = 0; i < 20; i++) { const id = 'w' + (k++); db.transaction(() => { b.run(id); v.run(id); })(); } }, 2);
         process.on('SIGTERM', () => { clearInterval(t); process.exit(0); });
         setTimeout(() => process.stdout.write('ready\\n'), 200);`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => writer.stdout!.once('data', () => resolve()));
    const target = await server.createDatabase();
    try {
      const res = await cli(['migrate-store', '--to', target.url]);
      writer.kill('SIGTERM');
      expect(res.status, res.stderr).toBe(0);
      expect(res.stdout).toMatch(/every table's count matches/);
      const printed = Number(/^\s+battles\s+([\d,]+)$/m.exec(res.stdout)![1].replace(/,/g, ''));
      expect(printed).toBeGreaterThan(300);
      expect(await count(target.url, 'SELECT count(*) AS n FROM battles')).toBe(printed);
      // One moment: every copied battle of the writer has its vote, and no vote lacks its battle.
      const written = await count(target.url, `SELECT count(*) AS n FROM battles WHERE id LIKE 'w%'`);
      expect(written).toBeGreaterThan(0);
      expect(await count(target.url, `SELECT count(*) AS n FROM votes WHERE battle_id LIKE 'w%'`)).toBe(written);
      expect(await count(target.url, `SELECT count(*) AS n FROM battles WHERE source = 'import'`)).toBe(300);

      // A second copy into the same database is refused: it is not empty any more.
      const again = await cli(['migrate-store', '--to', target.url]);
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/pairwise migrate-store: the Postgres store is not empty/);
      expect(await count(target.url, 'SELECT count(*) AS n FROM battles')).toBe(printed);
    } finally {
      writer.kill('SIGTERM');
      await target.drop();
    }
  }, 120_000);

  it('keeps nothing of a copy killed halfway, and the next copy into the same database succeeds', async () => {
    // A store big enough to be caught in the middle of its COPY.
    const big = path.join(dir, 'big.db');
    fs.writeFileSync(path.join(dir, 'one.jsonl'), '{"model_a":"m1","model_b":"m2","winner":"tie"}\n');
    const created = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), 'import', path.join(dir, 'one.jsonl'), '--create'], {
      env: { ...process.env, DATABASE_PATH: big },
      encoding: 'utf8',
    });
    expect(created.status, created.stderr).toBe(0);
    const fill = spawnSync(
      process.execPath,
      [
        '-e',
        `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(big)});
         const b = db.prepare("INSERT INTO battles (id, model_a, model_b, mode, status, created_at, updated_at) VALUES (?, 'x', 'y', 'live', 'voted', ?, ?)");
         const v = db.prepare("INSERT INTO votes (battle_id, winner, created_at) VALUES (?, 'tie', ?)");
         db.transaction(() => { for (let i = 0; i < 150000; i++) { b.run('k' + i, i, i); v.run('k' + i, i); } })();`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(fill.status, fill.stderr).toBe(0);

    const target = await server.createDatabase();
    try {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), 'migrate-store', '--to', target.url], {
        env: { ...process.env, DATABASE_PATH: big },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      // Killed once Postgres reports rows arriving through COPY.
      const watcher = new pg.Client({ connectionString: target.url });
      await watcher.connect();
      let copied = 0;
      for (let i = 0; i < 600 && copied === 0; i++) {
        copied = Number((await watcher.query(`SELECT coalesce(max(tuples_processed), 0) AS n FROM pg_stat_progress_copy`)).rows[0].n);
        if (copied === 0) await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGKILL');
      await exited;
      expect(copied).toBeGreaterThan(0);
      // The server ends the dead client's transaction: nothing of it stays.
      for (let i = 0; i < 100; i++) {
        const open = Number((await watcher.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`)).rows[0].n);
        if (open === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await watcher.end();
      expect(await count(target.url, 'SELECT count(*) AS n FROM battles')).toBe(0);
      expect(await count(target.url, 'SELECT count(*) AS n FROM votes')).toBe(0);

      const again = await cli(['migrate-store', '--to', target.url], big);
      expect(again.status, again.stderr).toBe(0);
      expect(await count(target.url, 'SELECT count(*) AS n FROM battles')).toBe(150_001);
      expect(await count(target.url, 'SELECT count(*) AS n FROM votes')).toBe(150_001);
    } finally {
      await target.drop();
    }
  }, 180_000);

  it('refuses a target that is not a Postgres URL, or a server that does not answer, in one line', async () => {
    const usage = await cli(['migrate-store', '--to', 'mysql://x']);
    expect(usage.status).toBe(2);
    expect(usage.stderr.trim()).toBe('pairwise migrate-store: --to needs a postgres:// URL (see pairwise migrate-store --help)');
    const closed = await cli(['migrate-store', '--to', 'postgres://someone:hunter2@127.0.0.1:1/arena']);
    expect(closed.status).toBe(1);
    expect(closed.stderr).toMatch(/Cannot reach the Postgres server at 127\.0\.0\.1:1 \(connection refused\)\. Is it running, and is --to right\?/);
    expect(closed.stderr).not.toMatch(/hunter2/);
  }, 60_000);
});
