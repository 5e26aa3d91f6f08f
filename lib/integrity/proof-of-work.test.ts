import { solveChallenge } from 'altcha-lib';
import { describe, expect, it } from 'vitest';
import { deriveKey as pageDeriveKey } from '../../app/_components/battle/proof-of-work';
import { isAppError } from '../errors';
import { CHALLENGE_TTL_SECONDS, createProofOfWork, encodeProof } from './proof-of-work';

function gate() {
  const spent = new Set<string>();
  return createProofOfWork({
    signatureSecret: 'a'.repeat(64),
    keySecret: 'b'.repeat(64),
    spendOnce: async (key) => (spent.has(key) ? false : (spent.add(key), true)),
  });
}

/** Solves a challenge the way the page does (its own SHA-256), so the two sides are checked against each other. */
async function solvedHeader(pow: ReturnType<typeof gate>, work = 2_000) {
  const challenge = await pow.challenge(work);
  const solution = await solveChallenge({ challenge, deriveKey: pageDeriveKey });
  expect(solution).not.toBeNull();
  return { challenge, solution: solution!, header: encodeProof({ challenge, solution: solution! }) };
}

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    return isAppError(err) ? err.code : 'not-an-app-error';
  }
}

describe('proof of work', () => {
  it('a challenge costs about the work asked for: the counter lies between half and all of it', async () => {
    const pow = gate();
    for (let i = 0; i < 5; i++) {
      const { solution } = await solvedHeader(pow, 2_000);
      expect(solution.counter).toBeGreaterThanOrEqual(1_000);
      expect(solution.counter).toBeLessThanOrEqual(2_000);
    }
  });

  it('a solution passes once; the same solution again is refused', async () => {
    const pow = gate();
    const { header } = await solvedHeader(pow);
    expect(await codeOf(pow.check(header))).toBeNull();
    expect(await codeOf(pow.check(header))).toBe('proof_invalid');
  });

  it('no proof, junk, a wrong counter, a changed challenge, another server\u2019s challenge and an expired one are refused', async () => {
    const pow = gate();
    expect(await codeOf(pow.check(null))).toBe('proof_required');
    expect(await codeOf(pow.check('not base64 json'))).toBe('proof_invalid');
    expect(await codeOf(pow.check(Buffer.from('{"challenge":1}').toString('base64url')))).toBe('proof_invalid');

    const { challenge, solution } = await solvedHeader(pow);
    const wrongKey = { ...solution, derivedKey: solution.derivedKey.replace(/^./, (c) => (c === '0' ? '1' : '0')) };
    expect(await codeOf(pow.check(encodeProof({ challenge, solution: wrongKey })))).toBe('proof_invalid');
    // Cheaper parameters under the old signature.
    const cheaper = { ...challenge, parameters: { ...challenge.parameters, keyPrefix: '00' } };
    expect(await codeOf(pow.check(encodeProof({ challenge: cheaper, solution })))).toBe('proof_invalid');
    // Signed with another secret.
    const other = createProofOfWork({ signatureSecret: 'c'.repeat(64), keySecret: 'd'.repeat(64), spendOnce: async () => true });
    const foreign = await solvedHeader(other as ReturnType<typeof gate>);
    expect(await codeOf(pow.check(foreign.header))).toBe('proof_invalid');
    // Expired: checked after the challenge's lifetime.
    const late = Date.now() + (CHALLENGE_TTL_SECONDS + 5) * 1000;
    expect(await codeOf(pow.check(encodeProof({ challenge, solution }), late))).toBe('proof_invalid');
    // None of the refusals spent it: the real solution still passes, once.
    expect(await codeOf(pow.check(encodeProof({ challenge, solution })))).toBeNull();
  });
});
