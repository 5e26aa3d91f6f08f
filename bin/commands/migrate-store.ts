import cliProgress from 'cli-progress';
import { copyStore } from '../../db/copy-to-postgres';
import { openPostgres, postgresTarget } from '../../db/postgres';
import { closeStore } from '../../db/store';
import { parseFlags, usageLine, UsageError } from '../args';
import { openSqliteStore } from '../database';

export const summary = 'Copy the SQLite arena into a new Postgres database, counts checked';

const HELP = `Usage: pairwise migrate-store --to postgres://USER:PASSWORD@HOST:PORT/DATABASE

Copies the SQLite store (DATABASE_PATH, default ./data/pairwise.db) into an empty Postgres
database: battles, messages, votes, models, snapshots, accounts, studies, settings and the rest,
every table of the schema. The Postgres schema is created by its migrations first. The copy is
one transaction, checked table by table against the SQLite counts: it lands whole or not at all.
The SQLite store is read as of one moment, so it may keep serving meanwhile; votes cast after
that moment are not in the copy (stop the app for a final copy). The voter-cookie secret is not
in the database: carry pairwise.secret (beside the SQLite file) or PAIRWISE_SECRET over too, or
sessions and anonymous voters start afresh.

  --to URL   the Postgres database (it must exist and hold no rows)
  --json     print the counts as JSON
  --help     show this text`;

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags(argv, { to: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(usageLine('migrate-store', err.message));
    return 2;
  }
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  const url = parsed.values.to;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) {
    console.error(usageLine('migrate-store', '--to needs a postgres:// URL'));
    return 2;
  }
  const json = Boolean(parsed.values.json);
  const sqlite = openSqliteStore();
  const store = await openPostgres(url, { max: 1, setting: '--to' });
  const bar = new cliProgress.SingleBar(
    { format: ' {bar} {percentage}% | {value}/{total} rows | {table}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  try {
    const began = Date.now();
    const counts = await copyStore({
      source: sqlite,
      target: store,
      onStart: (plans) => {
        if (json) return;
        bar.start(plans.reduce((sum, p) => sum + p.rows, 0), 0, { table: '' });
        started = true;
      },
      onRows: (table, rows) => started && bar.increment(rows, { table }),
    });
    if (started) bar.stop();
    const seconds = (Date.now() - began) / 1000;
    if (json) console.log(JSON.stringify({ seconds, tables: counts }, null, 2));
    else {
      const width = Math.max(...counts.map((c) => c.table.length));
      for (const c of counts) console.log(`  ${c.table.padEnd(width)}  ${c.target.toLocaleString('en-US').padStart(12)}`);
      const total = counts.reduce((sum, c) => sum + c.target, 0);
      const { server, database } = postgresTarget(url);
      console.log(`Copied ${total.toLocaleString('en-US')} rows in ${counts.length} tables to ${server}/${database} in ${seconds.toFixed(1)} s; every table's count matches.`);
    }
    return 0;
  } catch (err) {
    if (started) bar.stop();
    console.error(`pairwise migrate-store: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await closeStore(store);
    await closeStore(sqlite);
  }
}
