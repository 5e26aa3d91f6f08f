import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Anonymous voter identity until accounts exist: a random id in an httpOnly cookie, signed with
 * HMAC-SHA256 so that a client cannot choose (or forge) someone else's id. The id is stored with
 * votes and never exported.
 */

export const VOTER_COOKIE = 'pw_voter';
const ONE_YEAR_S = 365 * 24 * 3600;
const SECRET_FILE = 'pairwise.secret';

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
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(mac(id, secret));
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  if (!/^[0-9a-f-]{36}$/.test(id)) return null;
  return id;
}

export function readCookie(cookieHeader: string | null | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return undefined;
}

export function voterSetCookie(value: string, opts: { secure?: boolean } = {}): string {
  const parts = [`${VOTER_COOKIE}=${value}`, 'Path=/', `Max-Age=${ONE_YEAR_S}`, 'HttpOnly', 'SameSite=Lax'];
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

export interface Voter {
  id: string;
  /** Set-Cookie header value when the request had no valid cookie. */
  setCookie?: string;
}

/** Reads the voter from a request's Cookie header, minting a new signed id when there is none. */
export function resolveVoter(req: Request, secret: string): Voter {
  const existing = verifyVoterCookie(readCookie(req.headers.get('cookie'), VOTER_COOKIE), secret);
  if (existing) return { id: existing };
  const id = newVoterId();
  const secure = new URL(req.url).protocol === 'https:' || req.headers.get('x-forwarded-proto') === 'https';
  return { id, setCookie: voterSetCookie(signVoterId(id, secret), { secure }) };
}

/**
 * PAIRWISE_SECRET when set; otherwise a random secret created once beside the database file
 * (mode 0600), so cookies stay valid across restarts without any setup.
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
  if (s.length < 16) throw new Error(`The voter secret in ${file} is too short; delete the file to create a new one.`);
  return s;
}
