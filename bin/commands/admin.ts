import readline from 'node:readline';
import { Writable } from 'node:stream';
import { databasePath } from '../../db/index';
import { postgresTarget } from '../../db/postgres';
import { closeAppStore, databaseUrl, openAppStore } from '../../db/store';
import { createOrPromoteAdmin } from '../../lib/identity/accounts';
import { parseFlags, usageLine, UsageError } from '../args';

export const summary = 'Create an admin account (the password is read from a prompt or stdin)';

const HELP = `Usage: pairwise admin create --email ADDRESS [--name NAME]

Creates an admin account with email and password in the app's store (the Postgres database of
DATABASE_URL when it is set, else the SQLite file DATABASE_PATH, default ./data/pairwise.db), or makes an existing account with that email an admin with the new password.
The password is never a flag: it is asked twice at a terminal, or read from standard input
(one line, or two identical lines), e.g.  printf '%s\\n' "$PW" | npx pairwise admin create --email a@b.c

  --email ADDRESS   the admin's email (required)
  --name NAME       a display name
  --help            show this text`;

/** Reads a line at the terminal without echoing it. */
function askHidden(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = readline.createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

async function readStdinLines(): Promise<string[]> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.split(/\r?\n/).filter((l, i, all) => l !== '' || i < all.length - 1);
}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) {
    const first = await askHidden('Password: ');
    const second = await askHidden('Password again: ');
    if (first !== second) throw new Error('the two passwords differ');
    return first;
  }
  const lines = await readStdinLines();
  if (lines.length === 0 || lines[0] === '') throw new Error('no password on standard input');
  if (lines.length >= 2 && lines[1] !== lines[0]) throw new Error('the two passwords on standard input differ');
  return lines[0];
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags(argv, { email: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, true);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(usageLine('admin', err.message));
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals[0] !== 'create' || positionals.length > 1) {
    console.error(usageLine('admin', 'expected "create"'));
    return 2;
  }
  if (!values.email) {
    console.error(usageLine('admin', 'create needs --email ADDRESS'));
    return 2;
  }
  const password = await readPassword();
  await openAppStore();
  try {
    const { user, created } = await createOrPromoteAdmin({ email: values.email, password, name: values.name });
    const url = databaseUrl();
    const where = url ? `the Postgres database "${postgresTarget(url).database}" at ${postgresTarget(url).server}` : databasePath();
    console.log(`${created ? 'Created' : 'Updated'} admin ${user.email} in ${where}`);
    return 0;
  } finally {
    await closeAppStore();
  }
}
