import fs from 'node:fs';
import path from 'node:path';
import { databasePath } from '../../db/index';
import { backupStore } from '../../db/backup';
import { parseFlags, usageLine, UsageError } from '../args';

export const summary = 'Write a consistent copy of the database, also while the app is running';

const HELP = `Usage: pairwise backup FILE [--force]

Copies the database (DATABASE_PATH, default ./data/pairwise.db) to FILE with SQLite's online
backup, which is consistent even while the app is serving votes (a plain cp of the .db file
misses what is still in its -wal file). The copy is a complete SQLite file: to restore, stop the
app and put it in place of the database (and remove any old -wal and -shm files beside it).
The voter-cookie secret is not in the database: keep pairwise.secret (beside the database) or
PAIRWISE_SECRET with the backup, or signed-in sessions and anonymous voters start afresh.

  --force   overwrite FILE if it exists
  --help    show this text`;

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags(argv, { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, true);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(usageLine('backup', err.message));
    return 2;
  }
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  const [target, ...extra] = parsed.positionals;
  if (!target || extra.length) {
    console.error(usageLine('backup', 'give one target FILE'));
    return 2;
  }
  const source = databasePath();
  if (!fs.existsSync(source)) {
    console.error(`pairwise backup: no database at ${source} (set DATABASE_PATH)`);
    return 1;
  }
  const dest = path.resolve(target);
  if (fs.existsSync(dest) && !parsed.values.force) {
    console.error(`pairwise backup: ${dest} exists; pass --force to overwrite it`);
    return 1;
  }
  const { pages, ms, counts } = await backupStore({ source, dest });
  console.log(`Backed up ${source} to ${dest}: ${pages} pages in ${ms} ms (${counts.battles} battles, ${counts.votes} votes, ${counts.users} accounts).`);
  return 0;
}
