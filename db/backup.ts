import fs from 'node:fs';
import Database from 'better-sqlite3';

/**
 * A consistent copy of a live SQLite store through SQLite's online backup API, including what
 * sits in the WAL file. The pages are copied in one step, inside one read transaction: a copy
 * made in small steps restarts whenever another connection writes, which under steady traffic
 * can mean it never ends (the app's votes arrive every few milliseconds). In WAL mode the writers
 * go on meanwhile; the copy is the database as of the step's start.
 */
export async function backupStore({ source, dest }: { source: string; dest: string }): Promise<{
  pages: number;
  ms: number;
  counts: { battles: number; votes: number; users: number };
}> {
  const started = Date.now();
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const tmp = `${dest}.partial`;
    fs.rmSync(tmp, { force: true });
    // The first step only opens the backup; the second, with no page limit, copies everything.
    const { totalPages } = await db.backup(tmp, { progress: () => 0x7fffffff });
    fs.renameSync(tmp, dest);
    const copy = new Database(dest, { readonly: true });
    try {
      const has = (t: string) => copy.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(t) !== undefined;
      const n = (t: string) => (has(t) ? (copy.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n : 0);
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy fails SQLite's integrity check: ${String(check)}`);
      return { pages: totalPages, ms: Date.now() - started, counts: { battles: n('battles'), votes: n('votes'), users: n('users') } };
    } finally {
      copy.close();
    }
  } finally {
    db.close();
  }
}
