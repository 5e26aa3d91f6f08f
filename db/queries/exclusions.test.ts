import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The one definition of an excluded vote, against a real temporary store. */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-exclusions-'));
process.env.DATABASE_PATH = path.join(dir, 'store.db');

const { getDb } = await import('../index');
const { createBattle } = await import('./battles');
const { castVote } = await import('./votes');
const { createVoter } = await import('./voters');
const { createUser } = await import('./users');
const { writeSetting } = await import('./settings');
const { exclusionCounts, recomputeExclusions } = await import('./exclusions');
const { ratingsInputStamp } = await import('./ratings-input');

afterAll(() => {
  getDb().$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const c = () => getDb().$client;
const reason = (battleId: string) => (c().prepare('SELECT excluded_reason AS r FROM votes WHERE battle_id = ?').get(battleId) as { r: string | null }).r;

async function voted(id: string, opts: { voterId: string; userId?: string; mode?: 'live' | 'recorded'; leak?: string | null }) {
  await createBattle({ id, modelA: 'x', modelB: 'y', mode: opts.mode ?? 'live', samplingProbability: 1, voterId: opts.voterId, userId: opts.userId ?? null });
  c().prepare(`UPDATE battles SET status = 'active', turns = 1 WHERE id = ?`).run(id);
  return castVote({ battleId: id, winner: 'model_a', voterId: opts.voterId, leakReason: opts.leak ?? null });
}

describe('excluded_reason', () => {
  it('follows bans, trust flags, operator decisions and the leak check, in that order', async () => {
    await createVoter({ id: 'v1', network: null });
    await voted('b1', { voterId: 'v1' });
    await voted('b2', { voterId: 'v1', leak: 'identity_leak: "claude" in answer a, turn 1' });
    expect([reason('b1'), reason('b2')]).toEqual([null, 'identity_leak: "claude" in answer a, turn 1']);

    const stamp = await ratingsInputStamp();
    c().prepare(`UPDATE voters SET banned_at = 1 WHERE id = 'v1'`).run();
    expect(await recomputeExclusions({ scope: { voterId: 'v1' } })).toBe(2);
    expect([reason('b1'), reason('b2')]).toEqual(['banned', 'banned']);
    // Changing what counts bumps the rating pass's input.
    expect((await ratingsInputStamp()).version).toBe(stamp.version + 1);

    c().prepare(`UPDATE voters SET banned_at = NULL, trust_flag = 'low_trust: burst' WHERE id = 'v1'`).run();
    await recomputeExclusions({ scope: { voterId: 'v1' } });
    expect([reason('b1'), reason('b2')]).toEqual(['low_trust: burst', 'low_trust: burst']);
    c().prepare(`UPDATE voters SET trust_override = 'trusted' WHERE id = 'v1'`).run();
    await recomputeExclusions({ scope: { voterId: 'v1' } });
    expect([reason('b1'), reason('b2')]).toEqual([null, 'identity_leak: "claude" in answer a, turn 1']);

    c().prepare(`UPDATE votes SET moderation = 'exclude', moderation_note = 'spam' WHERE battle_id = 'b1'`).run();
    c().prepare(`UPDATE votes SET moderation = 'restore' WHERE battle_id = 'b2'`).run();
    await recomputeExclusions({ scope: { all: true } });
    expect([reason('b1'), reason('b2')]).toEqual(['moderated: spam', null]);
    // Nothing changed: nothing to do, and no new rating pass.
    const again = await ratingsInputStamp();
    expect(await recomputeExclusions({ scope: { all: true } })).toBe(0);
    expect(await ratingsInputStamp()).toEqual(again);
  });

  it('a vote cast by a banned voter is excluded from the start', async () => {
    await createVoter({ id: 'v2', network: null });
    c().prepare(`UPDATE voters SET banned_at = 1 WHERE id = 'v2'`).run();
    const vote = await voted('b3', { voterId: 'v2' });
    expect(vote.excludedReason).toBe('banned');
  });

  it("a disabled account's votes are banned, from all its browsers", async () => {
    await createUser({ id: 'u1', email: 'u1@example.org' });
    await createVoter({ id: 'v3', network: null, userId: 'u1' });
    await voted('b4', { voterId: 'v3', userId: 'u1' });
    c().prepare(`UPDATE users SET disabled_at = 1 WHERE id = 'u1'`).run();
    await recomputeExclusions({ scope: { userId: 'u1' } });
    expect(reason('b4')).toBe('banned');
  });

  it('recorded votes of anonymous voters leave the board while recordedTrustedOnly is on', async () => {
    await createVoter({ id: 'v4', network: null });
    await createUser({ id: 'u2', email: 'u2@example.org' });
    await voted('b5', { voterId: 'v4', mode: 'recorded' });
    await voted('b6', { voterId: 'v4', userId: 'u2', mode: 'recorded' });
    await voted('b7', { voterId: 'v4', mode: 'live' });
    await writeSetting({ key: 'integrity', value: { trustScoring: 'exclude', recordedTrustedOnly: true }, by: null });
    expect([reason('b5'), reason('b6'), reason('b7')]).toEqual(['recorded_public', null, null]);
    const counts = await exclusionCounts();
    expect(counts.excluded.recorded_public).toBe(1);
    expect(counts.excluded.banned).toBe(2);
    await writeSetting({ key: 'integrity', value: { trustScoring: 'exclude', recordedTrustedOnly: false }, by: null });
    expect(reason('b5')).toBeNull();
  });
});
