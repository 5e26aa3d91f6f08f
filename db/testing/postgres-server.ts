import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * A real, throw-away Postgres server for tests: a cluster of its own in a temp folder, on a free
 * loopback port, made from Debian's server binaries (the `postgresql` package; nothing of
 * Debian's own cluster is used). Set PAIRWISE_TEST_DATABASE_URL to use an existing server
 * instead; tests then create and drop databases of their own on it (its user needs CREATEDB).
 */
export type PostgresServer = {
  /** The server's maintenance database, as a user that may create databases. */
  url: string;
  /** A fresh empty database on this server. */
  createDatabase(): Promise<TestDatabase>;
  /** Stops the server and removes its folder (a no-op for PAIRWISE_TEST_DATABASE_URL). */
  stop(): Promise<void>;
};

export type TestDatabase = { name: string; url: string; drop(): Promise<void> };

const BINARIES_ROOT = '/usr/lib/postgresql';
const SUPERUSER = 'postgres';

export interface StartPostgresOptions {
  /** Keep the server's crash safety on (fsync, synchronous commit), as benchmarks must measure it. */
  durable?: boolean;
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const external = process.env.PAIRWISE_TEST_DATABASE_URL?.trim();
  if (external) return { url: external, createDatabase: () => createDatabase(external), stop: async () => {} };
  return startOwnServer(options);
}

/**
 * Creates a database on the server at `serverUrl` and returns its URL: empty, or a copy of
 * `template` (a database nobody is connected to), which is much faster than migrating afresh.
 */
export async function createDatabase(serverUrl: string, template = 'template0'): Promise<TestDatabase> {
  const name = `pairwise_test_${randomBytes(6).toString('hex')}`;
  // Byte-order text (collation C), as SQLite compares text, so results do not depend on the
  // server's locale.
  await withClient(serverUrl, (c) =>
    c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}" ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`),
  );
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The newest Debian server version's bin folder (the one with initdb and pg_ctl). */
export function findPostgresBinaries(root = BINARIES_ROOT): string {
  let versions: string[] = [];
  try {
    versions = fs.readdirSync(root);
  } catch {
    // No such folder: reported below.
  }
  const bin = versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(root, v, 'bin'))
    .find((dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl')));
  if (!bin) {
    throw new Error(
      `No Postgres server binaries in ${root}/<version>/bin (initdb, pg_ctl): the database tests start a ` +
        `throw-away server of their own. Install Debian's postgresql package (apt-get install postgresql), ` +
        `or set PAIRWISE_TEST_DATABASE_URL to a server on which they may create databases.`,
    );
  }
  return bin;
}

type Runner = {
  run(binary: string, args: string[]): Promise<void>;
  runSync(binary: string, args: string[]): void;
  /** Gives a file made by this process to the user the binaries run as. */
  own(file: string): void;
};

/**
 * Postgres refuses to run as root. As root (CI), the folder belongs to the `postgres` user and
 * every binary runs as that user; as anyone else, the binaries run as the caller.
 */
function runner(bin: string, dir: string): Runner {
  let owner: [number, number] | null = null;
  if (process.getuid?.() === 0) {
    try {
      owner = [Number(execFileSync('id', ['-u', SUPERUSER])), Number(execFileSync('id', ['-g', SUPERUSER]))];
    } catch {
      throw new Error(`Running as root, the test server needs the "${SUPERUSER}" user of Debian's postgresql package; it does not exist.`);
    }
  }
  const own = (file: string) => {
    if (owner) fs.chownSync(file, ...owner);
  };
  own(dir);
  const command = (binary: string, args: string[]): [string, string[]] =>
    owner ? ['runuser', ['-u', SUPERUSER, '--', path.join(bin, binary), ...args]] : [path.join(bin, binary), args];
  // The caller's working folder may be closed to the postgres user: run in the temp folder.
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  return {
    own,
    run: (binary, args) =>
      new Promise((resolve, reject) => {
        const [file, argv] = command(binary, args);
        const child = spawn(file, argv, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        child.on('error', reject);
        // 'exit', not 'close': the server pg_ctl starts must not keep the call waiting.
        child.on('exit', (code, signal) => {
          if (code === 0) resolve();
          else reject(new Error(`${binary} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output.trim()}`));
        });
      }),
    runSync: (binary, args) => {
      const [file, argv] = command(binary, args);
      spawnSync(file, argv, { cwd: dir, env, stdio: 'ignore', timeout: 30_000 });
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startOwnServer({ durable = false }: StartPostgresOptions): Promise<PostgresServer> {
  const bin = findPostgresBinaries();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  let running = false;
  let removed = false;

  let r: Runner;
  try {
    r = runner(bin, dir);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const { run, runSync, own } = r;
  // A test run that ends without stop() (a crash, a forgotten afterAll) still leaves nothing behind.
  const onExit = () => {
    if (running) runSync('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    if (!removed) fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  const cleanUp = async () => {
    process.off('exit', onExit);
    if (running) {
      running = false;
      await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    }
    removed = true;
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    const password = randomBytes(18).toString('hex');
    const pwfile = path.join(dir, 'pwfile');
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    own(pwfile);
    // Password (SCRAM) over TCP, as a deployed server would ask; trust on the private socket.
    await run('initdb', [
      '-D', data, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=trust',
      '--encoding=UTF8', '--locale=C', '--no-sync',
    ]);
    fs.rmSync(pwfile);
    // Loopback only, its socket in its own folder (none in /run/postgresql, which may not exist);
    // durability is of no use to a throw-away test server, and turning it off makes it write faster.
    fs.appendFileSync(
      path.join(data, 'postgresql.conf'),
      [
        '',
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        ...(durable ? [] : ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off']),
        '',
      ].join('\n'),
    );

    // The free port may be taken between the probe and the server's bind: try another.
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', `-p ${port}`, 'start']);
        running = true;
        break;
      } catch (err) {
        const serverLog = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
        if (attempt < 5 && /could not bind|address already in use/i.test(serverLog)) continue;
        throw new Error(`${(err as Error).message}\nServer log:\n${serverLog.trim().split('\n').slice(-20).join('\n')}`);
      }
    }

    const url = `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/postgres`;
    return { url, createDatabase: () => createDatabase(url), stop: cleanUp };
  } catch (err) {
    await cleanUp().catch(() => {});
    throw err;
  }
}
