import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bumpRatingsInput, ratingsInputStamp } from './queries/ratings-input';
import { isPostgres } from './store';
import { openTestStore, STORES, type TestStore } from './testing/stores';

describe.each(STORES)('one query function, run on %s', (dialect) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(dialect);
  });
  afterAll(() => store.close());

  test('picks the implementation of the store it is given', async () => {
    expect(isPostgres(store.db)).toBe(dialect === 'postgres');
    expect(await ratingsInputStamp({ db: store.db })).toEqual({ voteId: 0, version: 0 });
    await bumpRatingsInput({ db: store.db });
    await bumpRatingsInput({ db: store.db });
    // Numbers on both, not strings (int8 from Postgres).
    expect(await ratingsInputStamp({ db: store.db })).toEqual({ voteId: 0, version: 2 });
  });
});
