import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { execSql } from '../testing/raw-sql';
import { openTestStore, secondClient, STORES, type TestStore } from '../testing/stores';
import { listAudit } from './audit';
import { battleModelNames, listModelInfo, writeModelInfo } from './model-info';

const T0 = 1_700_000_000_000;
const none = { name: null, organization: null, license: null, link: null };

describe.each(STORES)('model facts on %s', (dialect) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await openTestStore(dialect);
  });
  afterEach(() => store.close());

  test('set, changed and removed (every field empty), each with its audit entry', async () => {
    expect(await listModelInfo({ db: store.db })).toEqual([]);
    await writeModelInfo({ db: store.db, id: 'legacy-2', fields: { ...none, name: 'Legacy Two' }, by: 'admin-1', now: T0 });
    await writeModelInfo({ db: store.db, id: 'legacy-1', fields: { name: 'Legacy', organization: 'Org', license: 'MIT', link: 'https://example.org' }, by: 'admin-1', now: T0 + 1 });
    await writeModelInfo({ db: store.db, id: 'legacy-2', fields: { ...none, name: 'Legacy 2', license: 'Apache-2.0' }, by: 'admin-2', now: T0 + 2 });
    expect(await listModelInfo({ db: store.db })).toEqual([
      { id: 'legacy-1', name: 'Legacy', organization: 'Org', license: 'MIT', link: 'https://example.org', updatedAt: T0 + 1, updatedBy: 'admin-1' },
      { id: 'legacy-2', name: 'Legacy 2', organization: null, license: 'Apache-2.0', link: null, updatedAt: T0 + 2, updatedBy: 'admin-2' },
    ]);
    await writeModelInfo({ db: store.db, id: 'legacy-2', fields: { ...none, name: '' }, by: 'admin-1', now: T0 + 3 });
    await writeModelInfo({ db: store.db, id: 'never-set', fields: none, by: 'admin-1', now: T0 + 4 });
    expect((await listModelInfo({ db: store.db })).map((m) => m.id)).toEqual(['legacy-1']);
    const { entries } = await listAudit({ db: store.db, limit: 10 });
    expect(entries.map((e) => [e.action, e.target, e.actorUserId, e.before && JSON.parse(e.before), e.after && JSON.parse(e.after), e.createdAt])).toEqual([
      ['model_info.update', 'never-set', 'admin-1', null, null, T0 + 4],
      ['model_info.update', 'legacy-2', 'admin-1', { ...none, name: 'Legacy 2', license: 'Apache-2.0' }, null, T0 + 3],
      ['model_info.update', 'legacy-2', 'admin-2', { ...none, name: 'Legacy Two' }, { ...none, name: 'Legacy 2', license: 'Apache-2.0' }, T0 + 2],
      ['model_info.update', 'legacy-1', 'admin-1', null, { name: 'Legacy', organization: 'Org', license: 'MIT', link: 'https://example.org' }, T0 + 1],
      ['model_info.update', 'legacy-2', 'admin-1', null, { ...none, name: 'Legacy Two' }, T0],
    ]);
  });

  test('saves of one model’s facts at once run in turn: each audit entry’s before is what it replaced', async () => {
    const other = await secondClient(store);
    try {
      await Promise.all(
        [1, 2, 3, 4, 5, 6].map((k) => writeModelInfo({ db: k % 2 ? other.db : store.db, id: 'm', fields: { ...none, name: `v${k}` }, by: 'a', now: T0 + k })),
      );
      const chain = (await listAudit({ db: store.db, limit: 10 })).entries.reverse().map((e) => [e.before, e.after]);
      expect(chain[0][0]).toBeNull();
      for (let i = 1; i < chain.length; i++) expect(chain[i][0]).toBe(chain[i - 1][1]);
      expect((await listModelInfo({ db: store.db }))[0].name).toBe(JSON.parse(chain.at(-1)![1]!).name);
    } finally {
      await other.close();
    }
  });

  test('every model name of a battle, on either side, sorted', async () => {
    expect(await battleModelNames({ db: store.db })).toEqual([]);
    const pairs = [
      ['m-b', 'legacy-2'],
      ['legacy-1', 'm-b'],
      ['Z-upper', 'm-a'],
      ['m-a', 'legacy-1'],
    ];
    for (const [k, [a, b]] of pairs.entries()) {
      await execSql(
        store.db,
        sql`INSERT INTO battles (id, model_a, model_b, mode, created_at, updated_at) VALUES (${`b${k}`}, ${a}, ${b}, 'imported', ${T0}, ${T0})`,
      );
    }
    expect(await battleModelNames({ db: store.db })).toEqual(['Z-upper', 'legacy-1', 'legacy-2', 'm-a', 'm-b']);
  });
});
