import { expect, test } from '@playwright/test';
import { onPostgres, startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';

/**
 * Two app processes on one Postgres database, as behind a load balancer: a browser's cookie from
 * one is good on the other, a vote cast on one is on the other's board within 2 s, a follow-up
 * sent to the second while the first streams the battle's answers is refused (the turn lock is
 * in the database), and a rate limit counts requests to both. Postgres run only.
 */
test.skip(!onPostgres(), 'several instances share a Postgres store (playwright.postgres.config.ts)');

let stub: OpenAIStub;
let a: AppServer;
let b: AppServer;

/** An answer that takes a while to start, so a turn is still streaming when the other instance is asked. */
const SLOW_START_MS = 2_500;

test.beforeAll(async () => {
  stub = await startOpenAIStub();
  const registry = {
    settings: {
      maxTurns: 3,
      limits: { battle: { perMinute: 3, perDay: 1_000 }, vote: { perMinute: 1_000, perDay: 10_000 }, networkMultiplier: 1_000 },
    },
    models: [
      stubModel(stub, { id: 'echo-one', name: 'Echo One', model: `stub-echo:ttft=${SLOW_START_MS}:words=4` }),
      stubModel(stub, { id: 'echo-two', name: 'Echo Two', model: `stub-echo:ttft=${SLOW_START_MS}:words=6` }),
    ],
  };
  a = await startApp({ registry });
  b = await startApp({ registry, databaseUrl: a.databaseUrl! });
});

test.afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await stub?.close();
});

/** A client with its own cookie jar (one browser), that may talk to either instance. */
function client() {
  let cookie = '';
  const send = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}), ...init.headers } });
    const set = res.headers.getSetCookie().map((c) => c.split(';')[0]);
    if (set.length) cookie = [...new Map([...cookie.split('; ').filter(Boolean), ...set].map((c) => [c.split('=')[0], c])).values()].join('; ');
    return res;
  };
  return {
    send,
    /** Starts a battle and returns its id as soon as the stream names it, and the rest of the stream. */
    async startBattle(app: AppServer, prompt: string): Promise<{ battleId: string; rest: Promise<string> }> {
      const res = await send(`${app.url}/api/battles`, { method: 'POST', body: JSON.stringify({ prompt }) });
      // Not the body: reading it would wait for the whole stream.
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      while (!text.includes('\n')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      const first = JSON.parse(text.split('\n')[0]!) as { type: string; battleId: string };
      expect(first.type).toBe('battle');
      const rest = (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return text;
          text += decoder.decode(value, { stream: true });
        }
      })();
      return { battleId: first.battleId, rest };
    },
  };
}

async function battleCount(app: AppServer): Promise<number> {
  const res = await fetch(`${app.url}/api/leaderboard`);
  if (res.status !== 200) return -1;
  return ((await res.json()) as { battles: number }).battles;
}

test('a vote cast on one instance is on the other instance\u2019s board within 2 s', async () => {
  const voter = client();
  const voteOn = async (app: AppServer, battleId: string) => {
    const vote = await voter.send(`${app.url}/api/battles/${battleId}/vote`, { method: 'POST', body: JSON.stringify({ winner: 'model_a' }) });
    expect(vote.status, await vote.text()).toBe(200);
  };
  // The first vote of a new arena starts the rating workers: waited for, not timed.
  const first = await voter.startBattle(a, 'Name a colour.');
  expect(await first.rest).toContain('"type":"end"');
  await voteOn(a, first.battleId);
  await expect.poll(() => battleCount(b), { timeout: 30_000 }).toBe(1);

  const second = await voter.startBattle(a, 'Name a shape.');
  expect(await second.rest).toContain('"type":"end"');
  // The cookie A gave is good on B: the battle is this voter's there too.
  await voteOn(b, second.battleId);
  const votedAt = Date.now();
  await expect.poll(async () => Math.min(await battleCount(a), await battleCount(b)), { timeout: 2_000, intervals: [50] }).toBe(2);
  expect(Date.now() - votedAt).toBeLessThan(2_000);
});

test('a follow-up sent to the other instance while one streams the battle is refused, and taken once it ends', async () => {
  const voter = client();
  const { battleId, rest } = await voter.startBattle(a, 'Name a fruit.');
  // A is still waiting for the answers' first tokens.
  const refused = await voter.send(`${b.url}/api/battles/${battleId}/messages`, { method: 'POST', body: JSON.stringify({ prompt: 'And a vegetable?' }) });
  expect(refused.status).toBe(409);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('not_ready');
  const vote = await voter.send(`${b.url}/api/battles/${battleId}/vote`, { method: 'POST', body: JSON.stringify({ winner: 'tie' }) });
  expect(vote.status).toBe(409);
  expect(await rest).toContain('"type":"end"');
  // The turn is over on A: B takes the next one.
  const next = await voter.send(`${b.url}/api/battles/${battleId}/messages`, { method: 'POST', body: JSON.stringify({ prompt: 'And a vegetable?' }) });
  const body = await next.text();
  expect(next.status, body).toBe(200);
  expect(body).toContain('"type":"end"');
  expect(body).toContain('"canVote":true');
});

test('a rate limit counts the requests to both instances', async () => {
  const voter = client();
  const statuses: number[] = [];
  for (const app of [a, b, a, b]) {
    const res = await voter.send(`${app.url}/api/battles`, { method: 'POST', body: JSON.stringify({ prompt: 'Hello?' }) });
    statuses.push(res.status);
    await res.text();
  }
  // Three a minute for one browser: the fourth is refused, though each instance saw only two.
  expect(statuses).toEqual([200, 200, 200, 429]);
});
