import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestStore, STORES, type TestStore } from '../testing/stores';
import { listAudit, recordAudit } from './audit';

const T0 = 1_700_000_000_000;

describe.each(STORES)('audit log on %s', (dialect) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(dialect);
  });
  afterAll(() => store.close());

  test('entries keep before and after as JSON (absent: null); pages go newest first by id', async () => {
    expect(await listAudit({ db: store.db, limit: 5 })).toEqual({ entries: [], total: 0 });
    await recordAudit({ db: store.db, actorUserId: 'admin-1', action: 'x.change', target: 't', before: { a: 1 }, after: [1, 'two'], now: T0 });
    await recordAudit({ db: store.db, actorUserId: null, action: 'x.note', now: T0 + 1 });
    for (let k = 0; k < 5; k++) await recordAudit({ db: store.db, actorUserId: 'admin-1', action: `x.${k}`, after: null, now: T0 + 10 + k });
    const first = await listAudit({ db: store.db, limit: 3 });
    expect(first.total).toBe(7);
    expect(first.entries.map((e) => e.action)).toEqual(['x.4', 'x.3', 'x.2']);
    expect(first.entries[0]).toEqual({ id: expect.any(Number), actorUserId: 'admin-1', action: 'x.4', target: null, before: null, after: 'null', createdAt: T0 + 14 });
    const second = await listAudit({ db: store.db, limit: 3, beforeId: first.entries.at(-1)!.id });
    expect(second.entries.map((e) => e.action)).toEqual(['x.1', 'x.0', 'x.note']);
    const third = await listAudit({ db: store.db, limit: 3, beforeId: second.entries.at(-1)!.id });
    expect(third).toEqual({
      entries: [{ id: expect.any(Number), actorUserId: 'admin-1', action: 'x.change', target: 't', before: '{"a":1}', after: '[1,"two"]', createdAt: T0 }],
      total: 7,
    });
    expect(second.entries[2]).toMatchObject({ actorUserId: null, target: null, before: null, after: null });
  });
});
