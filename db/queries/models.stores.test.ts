import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { codeOf } from '../testing/app-errors';
import { allSql } from '../testing/raw-sql';
import { openTestStore, secondClient, STORES, type TestStore } from '../testing/stores';
import { listAudit } from './audit';
import { insertModelRow, listModelRows, modelsVersion, replaceModelsFromFile, seedModelsOnce, updateModelRow } from './models';
import { readSettingRows } from './settings';

const T0 = 1_700_000_000_000;
const entry = (id: string, extra: object = {}) => ({ id, entry: { id, name: id.toUpperCase(), ...extra } });

describe.each(STORES)('the models table on %s', (dialect) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await openTestStore(dialect);
  });
  afterEach(() => store.close());

  const ids = async () => (await listModelRows({ db: store.db })).map((r) => [r.id, r.position]);

  test('the registry file seeds the table once; later starts leave it alone', async () => {
    expect(await modelsVersion({ db: store.db })).toBe('0:0');
    expect(await seedModelsOnce({ db: store.db, entries: [entry('b'), entry('a'), entry('c')], source: 'models.yaml', now: T0 })).toBe(true);
    expect(await listModelRows({ db: store.db })).toEqual([
      { id: 'b', entry: '{"id":"b","name":"B"}', position: 0, source: 'file', createdAt: T0, updatedAt: T0 },
      { id: 'a', entry: '{"id":"a","name":"A"}', position: 1, source: 'file', createdAt: T0, updatedAt: T0 },
      { id: 'c', entry: '{"id":"c","name":"C"}', position: 2, source: 'file', createdAt: T0, updatedAt: T0 },
    ]);
    expect((await readSettingRows({ db: store.db }))['registry.seeded']).toEqual({ from: 'models.yaml', at: T0, models: 3 });
    expect(await modelsVersion({ db: store.db })).toBe(`3:${T0}`);
    expect(await seedModelsOnce({ db: store.db, entries: [entry('d')], source: 'models.yaml', now: T0 + 1 })).toBe(false);
    expect(await ids()).toEqual([
      ['b', 0],
      ['a', 1],
      ['c', 2],
    ]);
  });

  test('an empty file seeds too (the operator starts with an empty registry, once)', async () => {
    expect(await seedModelsOnce({ db: store.db, entries: [], source: 'models.yaml', now: T0 })).toBe(true);
    expect(await seedModelsOnce({ db: store.db, entries: [entry('a')], source: 'models.yaml', now: T0 })).toBe(false);
    expect(await ids()).toEqual([]);
  });

  test('processes starting together on one database seed it once', async () => {
    const others = [await secondClient(store), await secondClient(store), await secondClient(store)];
    try {
      const entries = Array.from({ length: 40 }, (_, k) => entry(`m-${String(k).padStart(2, '0')}`));
      const seeded = await Promise.all(
        [store.db, ...others.map((o) => o.db)].map((db, k) => seedModelsOnce({ db, entries, source: `process ${k}`, now: T0 + k })),
      );
      expect(seeded.filter(Boolean)).toHaveLength(1);
      const rows = await listModelRows({ db: store.db });
      expect(rows.map((r) => r.id)).toEqual(entries.map((e) => e.id));
      const winner = seeded.indexOf(true);
      expect(new Set(rows.map((r) => r.createdAt))).toEqual(new Set([T0 + winner]));
      const marks = await allSql<{ n: number }>(store.db, sql`SELECT count(*) AS n FROM settings WHERE key = 'registry.seeded'`);
      expect(marks).toEqual([{ n: 1 }]);
      expect((await readSettingRows({ db: store.db }))['registry.seeded']).toMatchObject({ from: `process ${winner}` });
    } finally {
      for (const o of others) await o.close();
    }
  });

  test('file mode replaces the table with the file: gone ones removed, changed ones rewritten, the rest untouched', async () => {
    await seedModelsOnce({ db: store.db, entries: [entry('a'), entry('b'), entry('c')], source: 'f', now: T0 });
    await insertModelRow({ db: store.db, id: 'console-1', entry: { id: 'console-1' }, by: 'admin-1', now: T0 });
    await replaceModelsFromFile({ db: store.db, entries: [entry('a'), entry('c', { weight: 2 }), entry('b'), entry('d')], now: T0 + 5 });
    const rows = await listModelRows({ db: store.db });
    expect(rows.map((r) => [r.id, r.position, r.source, r.createdAt, r.updatedAt])).toEqual([
      ['a', 0, 'file', T0, T0],
      ['c', 1, 'file', T0, T0 + 5],
      ['b', 2, 'file', T0, T0 + 5],
      ['d', 3, 'file', T0 + 5, T0 + 5],
    ]);
    expect(JSON.parse(rows[1].entry)).toEqual({ id: 'c', name: 'C', weight: 2 });
    expect(await modelsVersion({ db: store.db })).toBe(`4:${T0 + 5}`);
    await replaceModelsFromFile({ db: store.db, entries: [], now: T0 + 6 });
    expect(await ids()).toEqual([]);
  });

  test('many models are written in batches', async () => {
    const entries = Array.from({ length: 2500 }, (_, k) => entry(`m-${String(k).padStart(4, '0')}`));
    expect(await seedModelsOnce({ db: store.db, entries, source: 'f', now: T0 })).toBe(true);
    expect(await modelsVersion({ db: store.db })).toBe(`2500:${T0}`);
    await replaceModelsFromFile({ db: store.db, entries: entries.slice(1200).map((e) => ({ ...e, entry: { ...e.entry, v: 2 } })), now: T0 + 1 });
    const rows = await listModelRows({ db: store.db });
    expect(rows).toHaveLength(1300);
    expect(rows[0]).toMatchObject({ id: 'm-1200', position: 0, updatedAt: T0 + 1 });
    expect(rows.at(-1)).toMatchObject({ id: 'm-2499', position: 1299 });
  });

  test('the console adds a model at the end and edits it, each with its audit entry', async () => {
    await seedModelsOnce({ db: store.db, entries: [entry('a'), entry('b')], source: 'f', now: T0 });
    await insertModelRow({ db: store.db, id: 'new', entry: { id: 'new', weight: 1 }, by: 'admin-1', now: T0 + 1 });
    expect(await listModelRows({ db: store.db })).toContainEqual({ id: 'new', entry: '{"id":"new","weight":1}', position: 2, source: 'console', createdAt: T0 + 1, updatedAt: T0 + 1 });
    expect(await codeOf(insertModelRow({ db: store.db, id: 'a', entry: {}, by: 'admin-1' }))).toBe('conflict');
    await updateModelRow({ db: store.db, id: 'new', entry: { id: 'new', weight: 0 }, action: 'model.weight', by: 'admin-2', now: T0 + 2 });
    expect((await listModelRows({ db: store.db })).find((r) => r.id === 'new')).toMatchObject({ entry: '{"id":"new","weight":0}', createdAt: T0 + 1, updatedAt: T0 + 2 });
    expect(await codeOf(updateModelRow({ db: store.db, id: 'nope', entry: {}, action: 'model.update', by: null }))).toBe('not_found');
    const { entries } = await listAudit({ db: store.db, limit: 10 });
    expect(entries.map((e) => [e.action, e.target, e.actorUserId, e.before, e.after, e.createdAt])).toEqual([
      ['model.weight', 'new', 'admin-2', '{"id":"new","weight":1}', '{"id":"new","weight":0}', T0 + 2],
      ['model.create', 'new', 'admin-1', null, '{"id":"new","weight":1}', T0 + 1],
    ]);
    expect(await modelsVersion({ db: store.db })).toBe(`3:${T0 + 2}`);
    // Empty table: the first console model takes position 0.
    await replaceModelsFromFile({ db: store.db, entries: [] });
    await insertModelRow({ db: store.db, id: 'only', entry: {}, by: null });
    expect(await ids()).toEqual([['only', 0]]);
  });

  test('console additions at once: distinct positions, and a taken id is a conflict', async () => {
    const other = await secondClient(store);
    try {
      const results = await Promise.allSettled(
        ['x', 'y', 'z', 'x', 'w', 'y'].map((id, k) => insertModelRow({ db: k % 2 ? other.db : store.db, id, entry: { id, k }, by: null, now: T0 + k })),
      );
      const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(refused.map((r) => (r.reason as { code?: string }).code)).toEqual(['conflict', 'conflict']);
      const rows = await listModelRows({ db: store.db });
      expect(rows.map((r) => r.id).sort()).toEqual(['w', 'x', 'y', 'z']);
      expect(rows.map((r) => r.position)).toEqual([0, 1, 2, 3]);
      expect((await listAudit({ db: store.db, limit: 10 })).total).toBe(4);
    } finally {
      await other.close();
    }
  });
});
