/**
 * Moving an arena to Postgres at scale (`npx tsx bench/postgres-copy.ts`, or
 * `npm run bench -- postgres-copy`): the store of the 1.67 M imported Chatbot Arena battles
 * (bench/lib/imported-store.ts) copied by `pairwise migrate-store` into a new database on a
 * throw-away Postgres server of its own (Debian's binaries, loopback, crash safety on: fsync and
 * synchronous commit as a real server runs). Prints the wall time, rows per second and the
 * command's peak memory, and checks the battle count in Postgres.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPostgres } from '../db/testing/postgres-server';
import { ensureImportedStore, IMPORTED } from './lib/imported-store';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `pairwise migrate-store`, sampling its resident memory (Linux /proc) until it exits. */
function migrateStore(store: string, url: string): Promise<{ ms: number; peakMb: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), 'migrate-store', '--to', url], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_PATH: store },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    const sample = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // gone already
      }
    }, 200);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sample);
      if (code !== 0) reject(new Error(`pairwise migrate-store exited with ${code}:\n${stderr}`));
      else resolve({ ms: performance.now() - started, peakMb: peakKb / 1024, stdout });
    });
  });
}

async function main(): Promise<void> {
  const [l1, l5] = os.loadavg();
  console.log(`load average ${l1.toFixed(2)} / ${l5.toFixed(2)} on ${os.cpus().length} cores`);
  const store = await ensureImportedStore();
  const server = await startPostgres({ durable: true });
  try {
    const database = await server.createDatabase();
    const run = await migrateStore(store, database.url);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const battles = Number((await client.query('SELECT count(*) AS n FROM battles')).rows[0].n);
    const votes = Number((await client.query('SELECT count(*) AS n FROM votes')).rows[0].n);
    await client.end();
    if (battles !== IMPORTED) throw new Error(`Postgres holds ${battles} battles, not ${IMPORTED}`);
    const rows = Number(/Copied ([\d,]+) rows/.exec(run.stdout)?.[1].replace(/,/g, '') ?? NaN);
    console.log('');
    console.log(`migrate-store, ${rows.toLocaleString('en-US')} rows (${battles.toLocaleString('en-US')} battles, ${votes.toLocaleString('en-US')} votes)`);
    console.log(`  ${(run.ms / 1000).toFixed(1)} s wall, ${Math.round(rows / (run.ms / 1000)).toLocaleString('en-US')} rows/s, peak memory of the command ${run.peakMb.toFixed(0)} MB`);
    await database.drop();
  } finally {
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
