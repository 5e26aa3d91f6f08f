import { sha256 } from '@noble/hashes/sha2.js';
import { solveChallenge, type Challenge, type DeriveKeyFunction } from 'altcha-lib';
import { withBasePath } from '@/lib/base-path';

/**
 * The page's side of the proof-of-work gate (lib/integrity/proof-of-work.ts): when the arena
 * asks for it, a challenge is fetched and solved in the background as soon as the page loads, so
 * that starting a battle does not wait; each battle takes one solution and the next is solved
 * while the battle runs. Hashing uses a plain-JavaScript SHA-256, which works on pages served
 * over plain HTTP (where the browser's WebCrypto is not offered) and avoids one promise per hash.
 */

/** Hands the main thread back to the page every SLICE_MS, so that typing stays smooth while a proof is solved. */
const SLICE_MS = 12;
let sliceStart = 0;
function yieldToPage(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  // A message, not setTimeout: nested timeouts are clamped to 4 ms.
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** SHA-256 over (salt, nonce + counter), repeated `cost` times: ALTCHA's SHA-256 key derivation. */
export const deriveKey: DeriveKeyFunction = async (parameters, salt, password) => {
  if (performance.now() - sliceStart > SLICE_MS) {
    await yieldToPage();
    sliceStart = performance.now();
  }
  const data = new Uint8Array(salt.length + password.length);
  data.set(salt, 0);
  data.set(password, salt.length);
  let key = sha256(data);
  for (let i = 1; i < Math.max(1, parameters.cost); i++) key = sha256(key);
  return { derivedKey: key.subarray(0, parameters.keyLength ?? 32) };
};

interface Solved {
  header: string;
  /** When the challenge stops being accepted (ms since the epoch, with a margin). */
  usableUntil: number;
}

let needed = false;
let next: Promise<Solved | null> | null = null;

async function solveOne(): Promise<Solved | null> {
  try {
    const res = await fetch(withBasePath('/api/challenge'), { cache: 'no-store' });
    if (!res.ok) return null;
    const body = (await res.json()) as { challenge: Challenge; expiresInSeconds: number };
    const solution = await solveChallenge({ challenge: body.challenge, deriveKey, timeout: 120_000 });
    if (!solution) return null;
    const json = JSON.stringify({ challenge: body.challenge, solution: { counter: solution.counter, derivedKey: solution.derivedKey } });
    // base64url of ASCII JSON (hex strings and numbers only).
    const header = btoa(json).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    return { header, usableUntil: Date.now() + (body.expiresInSeconds - 60) * 1000 };
  } catch {
    return null;
  }
}

/** Whether this arena asks this browser for proofs (from the arena info); starts solving the first. */
export function armProofOfWork(on: boolean): void {
  needed = on;
  if (on && !next) next = solveOne();
}

/** The Pairwise-Proof header for a new battle, or none when the arena does not ask for one. */
export async function takeProof(): Promise<Record<string, string>> {
  if (!needed) return {};
  let solved = await (next ?? solveOne());
  if (!solved || solved.usableUntil < Date.now()) solved = await solveOne();
  next = solveOne();
  // Without a solution the server says why (proof_required), and the page shows it.
  return solved ? { 'pairwise-proof': solved.header } : {};
}
