import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The leaderboard and export route handlers against a real temporary store: the first board is
 * computed by the refresher's worker thread, then served from the stored snapshot.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-api-'));
process.env.DATABASE_PATH = path.join(dir, 'store.db');
process.env.MODELS_FILE = path.join(dir, 'models.json');
process.env.PAIRWISE_EXPORT_TOKEN = 'route-test-export-token-0123456789';
fs.writeFileSync(
  process.env.MODELS_FILE,
  JSON.stringify({
    models: [
      {
        id: 'bravo',
        name: 'Bravo',
        organization: 'Bravo Labs',
        license: 'MIT',
        deprecated: true,
        provider: { kind: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1', model: 'b' },
      },
    ],
  }),
);

const { GET: leaderboard } = await import('./route');
const { GET: exportBattles } = await import('../battles/export/route');
const { getDb } = await import('@/db/index');
const { importBattles } = await import('@/lib/leaderboard/import-battles');
const { BattleAggregator, computeRatings } = await import('@/lib/rating');

const get = (handler: (req: Request) => Promise<Response>, query: string, headers: Record<string, string> = {}) =>
  handler(new Request(`http://localhost/api?${query}`, { headers }));
const token = { authorization: `Bearer ${process.env.PAIRWISE_EXPORT_TOKEN}` };

const MODELS = ['alpha', 'bravo', 'charlie', 'delta'];
const records: { model_a: string; model_b: string; winner: string; tstamp: number; language: string }[] = [];
let seed = 5;
const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
for (let k = 0; k < 300; k++) {
  const a = Math.floor(rnd() * 4);
  let b = Math.floor(rnd() * 3);
  if (b >= a) b++;
  records.push({
    model_a: MODELS[a],
    model_b: MODELS[b],
    winner: rnd() < 0.1 ? 'tie' : rnd() < 0.5 + (a - b) / 8 ? 'model_a' : 'model_b',
    tstamp: 1_700_000_000 + k,
    language: k % 3 ? 'English' : 'Spanish',
  });
}

// Two models that never meet the others: a component of their own, both provisional.
records.push(
  { model_a: 'echo', model_b: 'foxtrot', winner: 'model_a', tstamp: 1_700_000_400, language: 'English' },
  { model_a: 'foxtrot', model_b: 'echo', winner: 'tie', tstamp: 1_700_000_401, language: 'English' },
);

afterAll(() => {
  getDb().$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/leaderboard', () => {
  it('answers an empty board before any vote', async () => {
    const res = await get(leaderboard, 'format=json');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ battles: 0, models: [], category: 'overall', styleControl: false, computedAt: null });
  });

  describe('with battles', () => {
    beforeAll(async () => {
      const file = path.join(dir, 'battles.jsonl');
      fs.writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n'));
      await importBattles({ db: getDb(), file });
    });

    it('serves the board computed off the request path, equal to the engine on the same battles', async () => {
      const res = await get(leaderboard, 'format=json');
      expect(res.status).toBe(200);
      const body = await res.json();
      const agg = new BattleAggregator();
      for (const r of records) agg.add(r.model_a, r.model_b, r.winner as 'tie');
      expect(body.battles).toBe(302);
      const engine = computeRatings(agg, {});
      // Each model: the engine's fields, then the board's "new" mark and first vote.
      expect(body.models.map(({ new: _n, firstVoteAt: _f, ...m }: Record<string, unknown>) => m)).toEqual(engine.models);
      expect(body.models.find((m: { model: string }) => m.model === 'alpha')).toMatchObject({ new: false, firstVoteAt: expect.stringMatching(/^2023-11-14T/) });
      expect(body).toMatchObject({ category: 'overall', styleControl: false, method: 'bradley-terry', untimedBattles: 0 });
      expect(body.params).toMatchObject({ ci: 'profile', bootstrap: 0, seed: null, provisionalVotes: 30, upToVoteId: 302 });
      expect(body.diagnostics).toMatchObject({ ci: 'profile', status: { code: 'ok' }, elo: { order: 'time' }, provisional: { votes: 30, models: 2 } });
      expect(body.diagnostics.components).toHaveLength(2);
      // The two that never met the others: their own component, provisional, with the reason.
      const echo = body.models.find((m: { model: string }) => m.model === 'echo');
      expect(echo).toMatchObject({ component: 1, provisional: true, provisionalReason: '2 votes, fewer than 30: not ranked', rank: 1 });
      expect(body.models.filter((m: { component: number }) => m.component === 0)).toHaveLength(4);
      expect(body.dataHash).toMatch(/^[0-9a-f]{64}$/);
      expect(Number.isNaN(Date.parse(body.computedAt))).toBe(false);
    });

    it('gives categories, filters and CSV', async () => {
      const spanish = await (await get(leaderboard, 'category=language:Spanish')).json();
      expect(spanish.battles).toBe(100);
      expect(spanish.category).toBe('language:Spanish');

      const withoutDeprecated = await (await get(leaderboard, 'deprecated=0')).json();
      expect(withoutDeprecated.models.map((m: { model: string }) => m.model)).not.toContain('bravo');
      const few = await (await get(leaderboard, 'minVotes=100000')).json();
      expect(few.models).toEqual([]);

      const csv = await get(leaderboard, 'format=csv');
      expect(csv.headers.get('content-type')).toContain('text/csv');
      const lines = (await csv.text()).trim().split('\n');
      expect(lines[0]).toBe(
        'rank,model,rating,lower,upper,elo,votes,wins,losses,ties,component,provisional,provisional_reason,win_rate,decided_win_rate,separate_from,battles_to_separate,estimator,ci,ci_rounds,bootstrap_fallback_rounds,dispersion,model_kind,elo_order,new,first_vote,organization,license',
      );
      expect(lines).toHaveLength(7);
      expect(lines.find((l) => l.split(',')[1] === 'bravo')).toMatch(/,Bravo Labs,MIT$/);
      expect(lines.find((l) => l.split(',')[1] === 'alpha')).toMatch(/,mle,profile,0,0,[0-9.]+,bradley-terry,tstamp,false,2023-11-14T[^,]+,unknown,unknown$/);
      expect(lines.find((l) => l.split(',')[1] === 'echo')).toMatch(/^1,echo,.*,2,1,0,1,1,true,"2 votes, fewer than 30: not ranked",0\.75,1,foxtrot,/);

      // A category with no battles is an empty board, not an error.
      expect(await (await get(leaderboard, 'category=tag:none')).json()).toMatchObject({ battles: 0, models: [] });
    });

    it('refuses bad parameters with a JSON error', async () => {
      for (const q of ['format=xml', 'category=everything', 'style=perhaps', 'minVotes=-1', 'unknown=1']) {
        const res = await get(leaderboard, q);
        expect(res.status, q).toBe(400);
        expect((await res.json()).error.code, q).toBe('validation_failed');
      }
    });
  });
});

describe('GET /api/battles/export', () => {
  it('streams every counted battle in each format', async () => {
    expect((await get(exportBattles, 'format=jsonl')).status).toBe(401);
    const jsonl = await get(exportBattles, 'format=jsonl', token);
    expect(jsonl.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await jsonl.text()).trim().split('\n');
    expect(lines).toHaveLength(302);
    expect(JSON.parse(lines[0])).toMatchObject({ model_a: records[0].model_a, tstamp: 1_700_000_000, language: records[0].language });
    const json = await (await get(exportBattles, '', token)).json();
    expect(json).toHaveLength(302);
    const csv = await (await get(exportBattles, 'format=csv', token)).text();
    expect(csv.trim().split('\n')).toHaveLength(303);
  });

  it('refuses an unknown format', async () => {
    const res = await get(exportBattles, 'format=parquet', token);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });
});
