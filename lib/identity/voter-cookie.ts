import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';

/**
 * The anonymous voter: a random id in an httpOnly cookie, signed with HMAC-SHA256 so that a
 * client can neither choose nor forge someone else's id. It identifies a browser; an account,
 * once someone signs in on that browser, owns what the browser did (see lib/identity/actor.ts).
 */

export const VOTER_COOKIE = 'pw_voter';
const ONE_YEAR_S = 365 * 24 * 3600;
const SECRET_FILE = 'pairwise.secret';
const VOTER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function mac(id: string, secret: string): string {
  return crypto.createHmac('sha256', secret).update(id).digest('base64url');
}

export function newVoterId(): string {
  return crypto.randomUUID();
}

/** Cookie value `<id>.<base64url hmac>`. */
export function signVoterId(id: string, secret: string): string {
  return `${id}.${mac(id, secret)}`;
}

/** The voter id when the value carries a valid signature, null otherwise. */
export function verifyVoterCookie(value: string | undefined | null, secret: string): string | null {
  if (!value) return null;
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return null;
  const id = value.slice(0, dot);
  if (!VOTER_ID.test(id)) return null;
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(mac(id, secret));
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  return id;
}

/** One cookie of a request's Cookie header (the `cookie` package's parser). */
export function readCookie(cookieHeader: string | null | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  return parseCookies(cookieHeader)[name];
}

/** The voter id a request's signed cookie carries, or null. */
export function voterIdFromRequest(req: Request, secret: string): string | null {
  return verifyVoterCookie(readCookie(req.headers.get('cookie'), VOTER_COOKIE), secret);
}

export function voterSetCookie(value: string, opts: { secure?: boolean; path?: string } = {}): string {
  return serializeCookie(VOTER_COOKIE, value, {
    path: opts.path || '/',
    maxAge: ONE_YEAR_S,
    httpOnly: true,
    sameSite: 'lax',
    secure: opts.secure ?? false,
  });
}

/**
 * PAIRWISE_SECRET when set; otherwise a random secret created once beside the database file
 * (mode 0600), so cookies and sessions stay valid across restarts without any setup.
 */
export function loadVoterSecret(databaseFile: string, env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env.PAIRWISE_SECRET?.trim();
  if (fromEnv) {
    if (fromEnv.length < 16) throw new Error('PAIRWISE_SECRET must be at least 16 characters long.');
    return fromEnv;
  }
  const file = path.join(path.dirname(path.resolve(databaseFile)), SECRET_FILE);
  try {
    return readSecret(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = crypto.randomBytes(32).toString('hex');
  try {
    // 'wx': when two processes start at once, the first writer wins and the other reads its secret.
    fs.writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readSecret(file);
    throw err;
  }
}

function readSecret(file: string): string {
  const s = fs.readFileSync(file, 'utf8').trim();
  if (s.length < 16) throw new Error(`The secret in ${file} is too short; delete the file to create a new one.`);
  return s;
}

/**
 * A key for one purpose derived from the app secret (HKDF-SHA256), so the cookie signature, the
 * session tokens and the network hashes never share a key.
 */
export function deriveKey(secret: string, purpose: 'network' | 'session' | 'pseudonym' | 'proof' | 'proof-key'): string {
  return Buffer.from(crypto.hkdfSync('sha256', secret, 'pairwise', purpose, 32)).toString('hex');
}
