import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The console's vote browser, moderation, bans, accounts, invites, imports and model facts against
 * a real temporary store: filters and keyset pages return exactly the matching votes in order, and
 * every change recomputes the effective reason, bumps the ratings input when it changed what is
 * counted, and writes its audit entry.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-admin-moderation-'));
process.env.DATABASE_PATH = path.join(dir, 'store.db');

const { getDb } = await import('@/db/index');
const { createBattle } = await import('@/db/queries/battles');
const { castVote } = await import('@/db/queries/votes');
const { createVoter } = await import('@/db/queries/voters');
const { createUser } = await import('@/db/queries/users');
const { beginImport, finishImport, insertImportBatch } = await import('@/db/queries/imports');
const { ratingsInputStamp } = await import('@/db/queries/ratings-input');
const { listAudit } = await import('@/db/queries/audit');
const { listVotes } = await import('@/db/queries/admin-votes');
const votes = await import('./votes');
const people = await import('./people');
const imports = await import('./imports');
const modelInfo = await import('./model-info');
const { settingsSaveSchema, saveSettingsSection } = await import('./settings');
const { parseOperatorSettings } = await import('@/lib/settings/schema');
const { isAppError } = await import('@/lib/errors');
const { hashInviteToken } = await import('@/lib/identity/accounts');

const admin = { id: 'admin-1' };
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 10);

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (e) {
    return isAppError(e) ? e.code : String(e);
  }
}

const counted = () => getDb().$client.prepare('SELECT count(*) AS n FROM votes WHERE excluded_reason IS NULL').get() as { n: number };

/** 40 arena battles over 4 days by 2 voters among 3 models, and an import of 25 battles. */
beforeAll(async () => {
  await createUser({ id: 'admin-1', email: 'root@example.org', role: 'admin' });
  await createUser({ id: 'user-1', email: 'u1@example.org' });
  await createVoter({ id: 'voter-1', network: null, userId: 'user-1' });
  await createVoter({ id: 'voter-2', network: null });
  const trio = ['m-a', 'm-b', 'm-c'];
  for (let k = 0; k < 40; k++) {
    const voterId = k % 2 ? 'voter-2' : 'voter-1';
    const id = `b-${String(k).padStart(3, '0')}`;
    const now = T0 + Math.floor(k / 10) * DAY + k * 1000;
    await createBattle({
      id,
      modelA: trio[k % 3],
      modelB: trio[(k + 1) % 3],
      mode: 'live',
      samplingProbability: 1 / 3,
      voterId,
      userId: voterId === 'voter-1' ? 'user-1' : null,
      now,
    });
    getDb().$client.prepare(`INSERT INTO messages (battle_id, side, turn, role, content, created_at) VALUES (?, 'a', 1, 'user', ?, ?)`).run(id, `Prompt ${k} ${'x'.repeat(300)}`, now);
    await castVote({ battleId: id, winner: 'model_a', voterId, leakReason: k === 5 ? 'identity_leak: m-a' : null, now: now + 500 });
  }
  const importId = await beginImport({ sha256: 'f'.repeat(64), fileName: 'old.jsonl', format: 'jsonl' });
  await insertImportBatch({
    importId,
    rows: Array.from({ length: 25 }, (_, k) => ({
      recordNo: k + 1,
      modelA: 'legacy-1',
      modelB: k % 2 ? 'm-a' : 'legacy-2',
      winner: 'model_b' as const,
      createdAt: T0 - 30 * DAY + k,
      judge: `judge-${k}`,
      turns: 1,
      anony: true,
      language: 'English',
      questionId: null,
      isCode: false,
      promptChars: 10,
      conversationA: null,
      conversationB: null,
    })),
  });
  await finishImport({ importId, importedCount: 25, skippedCount: 0, report: '{}' });
});

afterAll(() => {
  getDb().$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every vote id matching the filter, walking all pages of the given size. */
async function allPages(filter: Parameters<typeof listVotes>[0]['filter'], limit: number): Promise<string[]> {
  const out: string[] = [];
  let cursor = null;
  for (let guard = 0; guard < 100; guard++) {
    const page = await listVotes({ filter, cursor, limit });
    out.push(...page.rows.map((r) => r.battleId));
    if (!page.next) return out;
    cursor = page.next;
  }
  throw new Error('no end');
}

describe('vote browser', () => {
  it('pages are newest battle first, disjoint, and together exactly the matching votes', async () => {
    const everything = await allPages({}, 7);
    expect(everything).toHaveLength(65);
    expect(new Set(everything).size).toBe(65);
    expect(everything.slice(0, 3)).toEqual(['b-039', 'b-038', 'b-037']);
    expect(everything.at(-1)).toBe('imp1-000000001');

    const byModel = await allPages({ model: 'm-a' }, 4);
    const expected = Array.from({ length: 40 }, (_, k) => k)
      .filter((k) => k % 3 === 0 || (k + 1) % 3 === 0)
      .reverse()
      .map((k) => `b-${String(k).padStart(3, '0')}`);
    // m-a also met legacy-1 in 12 imported battles (the odd record numbers).
    expect(byModel).toEqual([...expected, ...Array.from({ length: 12 }, (_, k) => `imp1-${String(24 - 2 * k).padStart(9, '0')}`)]);

    expect(await allPages({ source: 'import' }, 10)).toHaveLength(25);
    expect(await allPages({ source: 'arena', voterId: 'voter-2' }, 6)).toHaveLength(20);
    expect(await allPages({ userId: 'user-1' }, 50)).toHaveLength(20);
    const day2 = await allPages({ from: T0 + DAY, to: T0 + 2 * DAY }, 3);
    expect(day2).toEqual(['b-019', 'b-018', 'b-017', 'b-016', 'b-015', 'b-014', 'b-013', 'b-012', 'b-011', 'b-010']);
    expect(await allPages({ reason: 'identity_leak' }, 5)).toEqual(['b-005']);
    expect(await allPages({ reason: 'excluded' }, 5)).toEqual(['b-005']);
    expect(await allPages({ reason: 'counted', model: 'm-b', source: 'arena' }, 5)).toHaveLength(27);
    expect(await allPages({ reason: 'counted', model: 'm-a', source: 'arena' }, 5)).toHaveLength(26);
  });

  it('rows carry a short excerpt of the first prompt, never the whole conversation', async () => {
    const page = await votes.browseVotes({ model: 'm-c' });
    const row = page.rows[0];
    expect(row.excerpt!.length).toBeLessThanOrEqual(161);
    expect(row.excerpt).toMatch(/^Prompt \d+ x+$/);
    expect(page.counts).toEqual({ counted: 64, excluded: { identity_leak: 1 } });
  });

  it('query parameters: dates are whole UTC days; bad input is a clear error', async () => {
    expect(votes.voteFilter({ from: '2025-01-11', to: '2025-01-11' })).toEqual({ from: T0 + DAY, to: T0 + 2 * DAY });
    expect(await codeOf(votes.browseVotes({ from: '2025-01-12', to: '2025-01-11' }))).toBe('validation_failed');
    expect(await codeOf(votes.browseVotes({ cursor: 'not-a-cursor' }))).toBe('validation_failed');
    expect(votes.voteQuerySchema.safeParse({ from: '11/01/2025' }).success).toBe(false);
    expect(votes.voteQuerySchema.safeParse({ reason: "x' OR 1=1" }).success).toBe(false);
    expect(votes.voteQuerySchema.safeParse({ limit: '5' }).success).toBe(false);
  });
});

describe('moderation', () => {
  it('exclude needs a note; it excludes, bumps the ratings input and is audited; clear restores the rules', async () => {
    const id = (await votes.browseVotes({})).rows.find((r) => r.battleId === 'b-010')!.voteId;
    expect(votes.moderationSchema.safeParse({ voteId: id, action: 'exclude' }).success).toBe(false);
    const stamp = await ratingsInputStamp();
    const after = await votes.moderate(admin, { voteId: id, action: 'exclude', note: 'spam' });
    expect(after).toMatchObject({ excludedReason: 'moderated: spam', moderation: 'exclude', moderatedBy: 'admin-1' });
    expect((await ratingsInputStamp()).version).toBe(stamp.version + 1);
    expect(counted().n).toBe(63);
    const entry = (await listAudit({ limit: 1 })).entries[0];
    expect(entry).toMatchObject({ action: 'vote.exclude', target: String(id), actorUserId: 'admin-1' });
    expect(JSON.parse(entry.before!)).toMatchObject({ battle: 'b-010', excludedReason: null });
    expect(JSON.parse(entry.after!)).toMatchObject({ excludedReason: 'moderated: spam' });
    expect((await votes.moderate(admin, { voteId: id, action: 'clear' })).excludedReason).toBeNull();
    expect(counted().n).toBe(64);
  });

  it('restore counts a vote the leak check excluded; a missing vote is not found', async () => {
    const leak = (await votes.browseVotes({ reason: 'identity_leak' })).rows[0];
    expect((await votes.moderate(admin, { voteId: leak.voteId, action: 'restore' })).excludedReason).toBeNull();
    expect((await votes.moderate(admin, { voteId: leak.voteId, action: 'clear' })).excludedReason).toBe('identity_leak: m-a');
    expect(await codeOf(votes.moderate(admin, { voteId: 999_999, action: 'restore' }))).toBe('not_found');
  });

  it('the battle page has the whole conversation', async () => {
    const detail = await votes.battleDetail('b-003');
    expect(detail.messages[0].content).toHaveLength('Prompt 3 '.length + 300);
    expect(detail.vote?.battleId).toBe('b-003');
    expect(await codeOf(votes.battleDetail('nope'))).toBe('not_found');
  });
});

describe('voters and accounts', () => {
  it('a ban excludes the voter’s votes (and the next one), unban counts them again', async () => {
    expect(people.banSchema.safeParse({ voterId: 'voter-2', banned: true }).success).toBe(false);
    const { changedVotes, voter } = await people.banVoter(admin, { voterId: 'voter-2', banned: true, reason: 'script' });
    expect(changedVotes).toBe(20);
    expect(voter).toMatchObject({ banReason: 'script', votes: 20, excludedVotes: 20 });
    const later = 'b-late';
    await createBattle({ id: later, modelA: 'm-a', modelB: 'm-b', mode: 'live', samplingProbability: 1, voterId: 'voter-2', now: T0 + 5 * DAY });
    expect((await castVote({ battleId: later, winner: 'tie', voterId: 'voter-2', leakReason: null })).excludedReason).toBe('banned');
    expect((await people.banVoter(admin, { voterId: 'voter-2', banned: false })).changedVotes).toBe(21);
    const actions = (await listAudit({ limit: 2 })).entries.map((e) => e.action);
    expect(actions).toEqual(['voter.unban', 'voter.ban']);
    expect(await codeOf(people.banVoter(admin, { voterId: 'ghost', banned: true, reason: 'x' }))).toBe('not_found');
  });

  it('voters list most recently seen first, with their counts, in keyset pages', async () => {
    const first = await people.browseVoters({}, 1);
    expect(first.rows).toHaveLength(1);
    const second = await people.browseVoters({ cursor: first.next! }, 5);
    expect([...first.rows, ...second.rows].map((v) => v.id).sort()).toEqual(['voter-1', 'voter-2']);
    expect((await people.browseVoters({ banned: '1' })).rows).toEqual([]);
  });

  it('disabling an account excludes its votes as banned; the last admin cannot be demoted or disabled', async () => {
    const { changedVotes } = await people.changeAccount(admin, { userId: 'user-1', disabled: true, reason: 'left' });
    expect(changedVotes).toBe(20);
    expect((await listVotes({ filter: { userId: 'user-1' }, limit: 1 })).rows[0].excludedReason).toBe('banned');
    await people.changeAccount(admin, { userId: 'user-1', disabled: false });
    expect((await listVotes({ filter: { userId: 'user-1' }, limit: 1 })).rows[0].excludedReason).toBeNull();

    expect(await codeOf(people.changeAccount(admin, { userId: 'admin-1', role: 'voter' }))).toBe('conflict');
    expect(await codeOf(people.changeAccount({ id: 'user-1' }, { userId: 'admin-1', disabled: true }))).toBe('conflict');
    expect(await codeOf(people.changeAccount(admin, { userId: 'admin-1', disabled: true }))).toBe('conflict');
    // With a second admin, the first may step down.
    await people.changeAccount(admin, { userId: 'user-1', role: 'admin' });
    await people.changeAccount({ id: 'user-1' }, { userId: 'admin-1', role: 'voter' });
    const roles = (await people.browseAccounts({})).rows.map((u) => [u.email, u.role]);
    expect(roles).toEqual(expect.arrayContaining([['root@example.org', 'voter'], ['u1@example.org', 'admin']]));
    const audit = (await listAudit({ limit: 3 })).entries.map((e) => e.action);
    expect(audit).toEqual(['account.role', 'account.role', 'account.enable']);
    await people.changeAccount({ id: 'user-1' }, { userId: 'admin-1', role: 'admin' });
  });

  it('invite links: the token is returned once, only its hash is stored; revoke is audited', async () => {
    const { invite, path: link } = await people.createInviteLink(admin, { note: 'study', maxUses: 2, expiresInDays: 7 });
    const token = new URLSearchParams(link.split('?')[1]).get('invite')!;
    expect(link).toBe(`/signup?invite=${token}`);
    const row = getDb().$client.prepare('SELECT token_hash FROM invites WHERE id = ?').get(invite.id) as { token_hash: string };
    expect(row.token_hash).toBe(hashInviteToken(token));
    expect(JSON.stringify((await listAudit({ limit: 1 })).entries)).not.toContain(token);
    expect(invite).toMatchObject({ state: 'active', maxUses: 2 });
    expect((await people.revokeInviteLink(admin, invite.id)).state).toBe('revoked');
    expect((await people.listInviteLinks())[0].state).toBe('revoked');
    expect(await codeOf(people.revokeInviteLink(admin, 12345))).toBe('not_found');
  });
});

describe('settings', () => {
  /** What the app holds as the operator settings now (the section saves compare with it). */
  let operatorNow = parseOperatorSettings({});
  const deps = {
    reloads: 0,
    env: {},
    registryMode: 'database' as const,
    registry: () => ({ source: 't', settings: {} as never, models: [] }),
    operator: () => operatorNow,
    reload: async () => void deps.reloads++,
    provider: () => null as never,
    isHealthy: async () => true,
    modelHealth: () => ({ ok: null, checkedAt: null }),
    modelBackoff: () => [],
  };

  it('a section is validated by its own schema, stored, audited and applied (reload)', async () => {
    await saveSettingsSection(deps, admin, settingsSaveSchema.parse({ section: 'access', value: { voting: 'signed-in', signUp: 'invite' } }));
    expect(deps.reloads).toBe(1);
    const row = getDb().$client.prepare(`SELECT value FROM settings WHERE key = 'access'`).get() as { value: string };
    expect(JSON.parse(row.value)).toEqual({ voting: 'signed-in', signUp: 'invite' });
    expect((await listAudit({ limit: 1 })).entries[0]).toMatchObject({ action: 'settings.update', target: 'access' });
    expect(await codeOf(saveSettingsSection(deps, admin, { section: 'arena', value: { maxTurns: 0 } }))).toBe('validation_failed');
    expect(await codeOf(saveSettingsSection(deps, admin, { section: 'notice', value: { text: 'x', extra: true } }))).toBe('validation_failed');
    expect(settingsSaveSchema.safeParse({ section: 'secrets', value: {} }).success).toBe(false);
    expect(deps.reloads).toBe(1);
  });

  it('the board section sets the provisional threshold, and saving it makes the next pass refit every board', async () => {
    const version = async () => (await ratingsInputStamp()).version;
    const before = await version();
    await saveSettingsSection(deps, admin, settingsSaveSchema.parse({ section: 'board', value: { provisionalVotes: 50 } }));
    expect(await version()).toBe(before + 1);
    expect(parseOperatorSettings({ board: { provisionalVotes: 50 } }).board.provisionalVotes).toBe(50);
    expect(parseOperatorSettings({}).board.provisionalVotes).toBe(30);
    expect(await codeOf(saveSettingsSection(deps, admin, { section: 'board', value: { provisionalVotes: -1 } }))).toBe('validation_failed');
    expect(await codeOf(saveSettingsSection(deps, admin, { section: 'board', value: { provisionalVotes: 2.5 } }))).toBe('validation_failed');
    // Another section does not touch the boards.
    await saveSettingsSection(deps, admin, settingsSaveSchema.parse({ section: 'retention', value: { conversationDays: null } }));
    expect(await version()).toBe(before + 1);
    // A new influence cap does (the weights of the fit change); the same caps again do not.
    const caps = parseOperatorSettings({}).integrity;
    await saveSettingsSection(deps, admin, settingsSaveSchema.parse({ section: 'integrity', value: { ...caps, voterCap: 7 } }));
    expect(await version()).toBe(before + 2);
    operatorNow = parseOperatorSettings({ integrity: { ...caps, voterCap: 7 } });
    await saveSettingsSection(deps, admin, settingsSaveSchema.parse({ section: 'integrity', value: { ...caps, voterCap: 7 } }));
    expect(await version()).toBe(before + 2);
  });
});

describe('imported models and imports', () => {
  it('names only imported battles know are listed, and their facts reach the board lookup', async () => {
    const registry = [{ id: 'm-a', name: 'Model A', organization: 'A Org', license: 'mit', deprecated: false }];
    const listed = await modelInfo.listImportedModels({ registry: () => ({ source: 't', settings: {} as never, models: registry as never }) });
    expect(listed.map((m) => m.id)).toEqual(['legacy-1', 'legacy-2', 'm-b', 'm-c']);
    expect(modelInfo.modelInfoSchema.safeParse({ id: 'legacy-1', link: 'javascript:alert(1)' }).success).toBe(false);
    await modelInfo.setModelInfo(admin, modelInfo.modelInfoSchema.parse({ id: 'legacy-1', organization: 'Legacy Lab', license: '', link: 'https://example.org/l1' }));
    await modelInfo.setModelInfo(admin, modelInfo.modelInfoSchema.parse({ id: 'm-a', organization: 'ignored: in the registry' }));
    const entries = await modelInfo.boardModelEntries(registry);
    expect(entries).toEqual([
      registry[0],
      { id: 'legacy-1', name: 'legacy-1', organization: 'Legacy Lab', license: 'unknown', deprecated: false, link: 'https://example.org/l1' },
    ]);
    // All fields empty: the facts are removed.
    await modelInfo.setModelInfo(admin, modelInfo.modelInfoSchema.parse({ id: 'legacy-1' }));
    expect(await modelInfo.boardModelEntries([])).toEqual([expect.objectContaining({ id: 'm-a' })]);
  });

  it('removing an import deletes its battles, votes and messages in batches, bumps the ratings input once, and is audited', async () => {
    const [imp] = await imports.listConsoleImports();
    expect(imp).toMatchObject({ fileName: 'old.jsonl', fileSha256: 'f'.repeat(64), importedCount: 25, state: 'done' });
    const stamp = await ratingsInputStamp();
    expect(await imports.removeImport(admin, imp.id)).toEqual({ state: 'removed', removed: 25 });
    const left = getDb().$client.prepare(`SELECT count(*) AS n FROM battles WHERE source = 'import'`).get() as { n: number };
    expect(left.n).toBe(0);
    expect(await imports.listConsoleImports()).toEqual([]);
    expect((await ratingsInputStamp()).version).toBe(stamp.version + 1);
    expect((await listAudit({ limit: 1 })).entries[0]).toMatchObject({ action: 'import.delete', target: String(imp.id), after: '{"removedBattles":25}' });
    expect(await codeOf(imports.removeImport(admin, imp.id))).toBe('not_found');
  });
});
