import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, request, test, type APIRequestContext } from '@playwright/test';
import { NO_LIMITS, streamBattle, voteOn } from './fixtures/api-battle';
import { createE2eDatabase, onPostgres, ROOT, startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';

/**
 * A vote cast through the API on a store filled by `pairwise import` reaches /api/leaderboard from
 * the counts kept as votes arrive, without waiting for a pass over every battle; what that slower
 * pass fits (style control) says how far behind it is. On a Postgres run the import fills a
 * database of the run's server and the app starts on it.
 */

const MODELS = ['stub-one', 'stub-two', 'stub-three', 'gale-9b', 'haze-4b'];
const IMPORTED = 2_000;

interface Board {
  battles: number;
  models: { model: string; votes: number; wins: number; losses: number; ties: number }[];
  freshness: {
    latestVoteId: number;
    throughVoteId: number;
    pass: 'counts' | 'full';
    styleControl: { asOf: string; throughVoteId: number; lagging: boolean } | null;
    fullPass: { asOf: string; throughVoteId: number; lagging: boolean } | null;
  } | null;
}

function battleFile(dir: string): string {
  let seed = 5;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const lines: string[] = [];
  for (let k = 0; k < IMPORTED; k++) {
    const a = Math.floor(rnd() * MODELS.length);
    let b = Math.floor(rnd() * (MODELS.length - 1));
    if (b >= a) b++;
    const r = rnd();
    const winner = r < 0.15 ? 'tie' : rnd() < 1 / (1 + Math.exp(-(a - b) * 0.3)) ? 'model_a' : 'model_b';
    const rec: Record<string, unknown> = { model_a: MODELS[a], model_b: MODELS[b], winner, tstamp: 1_717_200_000 + k * 60 };
    // Half the battles carry answers: the style-controlled board (the full pass's) exists.
    if (k % 2 === 0) {
      rec.conversation_a = [{ role: 'user', content: 'q' }, { role: 'assistant', content: `## A\n- x\n${'word '.repeat(10 + a * 4)}` }];
      rec.conversation_b = [{ role: 'user', content: 'q' }, { role: 'assistant', content: `plain ${'word '.repeat(8 + b * 3)}` }];
    }
    lines.push(JSON.stringify(rec));
  }
  const file = path.join(dir, 'battles.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

test.describe('a vote on an imported store', () => {
  test.describe.configure({ mode: 'serial' });
  let stub: OpenAIStub;
  let app: AppServer;
  let dir: string;
  let ctx: APIRequestContext;
  // On a Postgres run, the database the import fills and the app then runs on (dropped at the end).
  let database: Awaited<ReturnType<typeof createE2eDatabase>> | null = null;

  test.beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-fresh-'));
    const databasePath = path.join(dir, 'store.db');
    database = onPostgres() ? await createE2eDatabase() : null;
    execFileSync(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), 'import', battleFile(dir), '--create'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_PATH: databasePath, ...(database ? { DATABASE_URL: database.url } : {}) },
      encoding: 'utf8',
    });
    stub = await startOpenAIStub();
    app = await startApp({
      databasePath,
      databaseUrl: database?.url,
      registry: {
        settings: { limits: NO_LIMITS },
        models: ['stub-one', 'stub-two', 'stub-three'].map((id, k) => stubModel(stub, { id, name: id, model: `stub-echo:words=${6 + k}` })),
      },
    });
    ctx = await request.newContext();
  });

  test.afterAll(async () => {
    await ctx?.dispose();
    await app?.stop();
    await stub?.close();
    await database?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const board = async (query = ''): Promise<Board> => {
    const res = await fetch(`${app.url}/api/leaderboard${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Board;
  };

  test('the vote is on /api/leaderboard from the counts, and what lags says so', async () => {
    // The first passes after start-up: the board from the counts, and the full pass behind it.
    await expect.poll(async () => (await fetch(`${app.url}/api/leaderboard`)).status, { timeout: 60_000 }).toBe(200);
    await expect.poll(async () => (await board()).freshness?.fullPass?.throughVoteId ?? 0, { timeout: 60_000 }).toBe(IMPORTED);
    const before = await board();
    expect(before.battles).toBe(IMPORTED);
    expect(before.freshness).toMatchObject({ pass: 'counts', throughVoteId: IMPORTED, latestVoteId: IMPORTED });

    const { battleId } = await streamBattle(ctx, app.url, 'Which is larger, 7 or 9?');
    const revealed = await voteOn(ctx, app.url, battleId, 'model_a');
    const votesOf = (b: Board, m: string) => b.models.find((r) => r.model === m)?.votes ?? 0;

    // Bounded wait (no timing asserted): the board counts the new vote, from the counts.
    await expect.poll(async () => (await board()).battles, { timeout: 30_000 }).toBe(IMPORTED + 1);
    const after = await board();
    expect(after.freshness).toMatchObject({ pass: 'counts', throughVoteId: IMPORTED + 1 });
    expect(votesOf(after, revealed.a)).toBe(votesOf(before, revealed.a) + 1);
    expect(votesOf(after, revealed.b)).toBe(votesOf(before, revealed.b) + 1);
    const winsOf = (b: Board, m: string) => b.models.find((r) => r.model === m)?.wins ?? 0;
    expect(winsOf(after, revealed.a)).toBe(winsOf(before, revealed.a) + 1);
    // A vote cast here next to imported ones: the per-source boards appear with it.
    expect((await board('?category=source:arena')).battles).toBe(1);

    // The style-controlled board comes from the full pass: as of its own cut-off, and it says
    // whether that is behind the plain board; in time the full pass catches up.
    const styled = await board('?style=1');
    const s = styled.freshness!.styleControl!;
    expect(s.lagging).toBe(s.throughVoteId < IMPORTED + 1);
    expect(styled.freshness!.throughVoteId).toBe(s.throughVoteId);
    await expect.poll(async () => (await board('?style=1')).freshness?.styleControl?.throughVoteId, { timeout: 60_000 }).toBe(IMPORTED + 1);
    const caughtUp = await board('?style=1');
    expect(caughtUp.freshness!.styleControl!.lagging).toBe(false);
    expect((await board()).freshness!.fullPass).toMatchObject({ throughVoteId: IMPORTED + 1, lagging: false });
  });
});
