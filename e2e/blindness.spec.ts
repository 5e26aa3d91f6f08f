import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { requireSharedData } from '../lib/shared-data';
import { startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { BattlePage } from './pages/battle-page';

/**
 * Blindness is a security property: before the vote, nothing the browser receives may name a
 * model, its maker, its provider kind, its endpoint or its file. These tests record every
 * response of a battle (document, RSC payload, scripts, API JSON, the streamed NDJSON, every
 * header) and search all of it for every identifying string of the two models.
 */

const GGUF_FILE = '@data/models/stories260K/stories260K.gguf';
const GGUF = { id: 'tinystory-q7', name: 'Marigold Storyteller', organization: 'Fennel Research' };
const ECHO = { id: 'echo-zx9', name: 'Obsidian Parrot', organization: 'Quokka Dynamics' };
const BROKEN = { id: 'broken-k4', name: 'Velvet Thunder', organization: 'Zircon Collective' };

interface Captured {
  url: string;
  status: number;
  headers: string;
  body: string;
}

/**
 * Records every response the page receives, with all headers and the full body. Requests go
 * through a route that fetches them from the server and hands the exact bytes on: DevTools
 * cannot always give back the body of a response the page read as a stream, a route can. (The
 * page then gets each streamed answer in one piece, which does not matter for what is checked.)
 */
async function recordResponses(page: Page) {
  const captured: Captured[] = [];
  const pending = new Set<Promise<void>>();
  await page.route('**/*', (route) => {
    const p = (async () => {
      const response = await route.fetch();
      const body = await response.body();
      captured.push({
        url: route.request().url(),
        status: response.status(),
        headers: response
          .headersArray()
          .map((h) => `${h.name}: ${h.value}`)
          .join('\n'),
        body: body.toString('utf8'),
      });
      await route.fulfill({ response, body });
    })();
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => {});
    return p;
  });
  return {
    /** Waits until every request seen so far has been answered and recorded. */
    async settle() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    /** Takes what was recorded so far and starts a fresh list. */
    drain(): Captured[] {
      return captured.splice(0, captured.length);
    },
  };
}

/** Every string that would identify one of the models, its provider or where it lives. */
function secretsFor(models: { id: string; name: string; organization: string }[], stub: OpenAIStub): string[] {
  const ggufAbsolute = requireSharedData('models/stories260K/stories260K.gguf');
  return [
    ...models.flatMap((m) => [m.id, m.name, m.organization]),
    // provider kinds and upstream model names
    'gguf',
    'openai',
    'compatible',
    'llama',
    'stub-echo',
    'stub-fail',
    // endpoint
    stub.url,
    `127.0.0.1:${stub.port}`,
    `localhost:${stub.port}`,
    // file paths
    ggufAbsolute,
    path.dirname(ggufAbsolute),
    GGUF_FILE,
    'stories260K',
    '@data/',
  ];
}

function findLeaks(responses: Captured[], secrets: string[]): string[] {
  const leaks: string[] = [];
  for (const r of responses) {
    const haystack = `${r.url}\n${r.headers}\n${r.body}`.toLowerCase();
    for (const s of secrets) {
      if (haystack.includes(s.toLowerCase())) leaks.push(`${r.status} ${r.url} contains "${s}"`);
    }
  }
  return leaks;
}

let stub: OpenAIStub;

test.beforeAll(async () => {
  stub = await startOpenAIStub();
});

test.afterAll(async () => {
  await stub?.close();
});

test.describe('a live battle between a local GGUF model and an HTTP endpoint', () => {
  let app: AppServer;

  test.beforeAll(async () => {
    app = await startApp({
      registry: {
        settings: { maxTurns: 3 },
        models: [
          {
            ...GGUF,
            provider: { kind: 'gguf', path: GGUF_FILE, contextSize: 512, threads: 1, promptFormat: 'plain' },
            defaults: { temperature: 0.8, maxTokens: 48 },
          },
          {
            ...ECHO,
            provider: { kind: 'openai-compatible', baseURL: stub.url, model: 'stub-echo:chunk=3' },
            defaults: { maxTokens: 200 },
          },
        ],
      },
    });
  });

  test.afterAll(async () => {
    await app?.stop();
  });

  test('nothing received before the vote identifies either model; the vote reveals them', async ({ page }) => {
    const recorder = await recordResponses(page);
    const secrets = secretsFor([GGUF, ECHO], stub);
    const battle = new BattlePage(page);

    await battle.goto(app.url);
    await battle.ask('Once upon a time, a small fox');
    await battle.waitForTurnEnd();
    await battle.ask('What happened next?');
    await battle.waitForTurnEnd();
    await battle.regenerate.click();
    await battle.waitForTurnEnd();
    const id = await battle.battleId();
    // What a curious page script could ask the API about the battle.
    await page.evaluate(async (battleId) => {
      await (await fetch(`/api/battles/${battleId}`)).text();
      await (await fetch('/api/arena')).text();
    }, id);
    await recorder.settle();
    const beforeVote = recorder.drain();

    // The recording really holds the battle: the page, the arena info, and the streamed answers.
    const urls = beforeVote.map((r) => new URL(r.url).pathname);
    expect(urls).toContain('/');
    expect(urls).toContain('/api/arena');
    expect(urls).toContain(`/api/battles/${id}`);
    expect(urls).toContain(`/api/battles/${id}/messages`);
    expect(urls).toContain(`/api/battles/${id}/regenerate`);
    const streams = beforeVote.filter((r) => r.headers.includes('application/x-ndjson'));
    expect(streams).toHaveLength(3);
    for (const s of streams) expect(s.body).toContain('"type":"delta"');
    expect(beforeVote.some((r) => r.url.includes('/_next/static/'))).toBe(true);

    expect(findLeaks(beforeVote, secrets)).toEqual([]);
    // The rendered page says nothing either.
    const dom = (await page.content()).toLowerCase();
    for (const s of secrets) expect(dom).not.toContain(s.toLowerCase());

    // After the vote the names appear, in the vote's answer and on the page.
    await battle.voteButton('a').click();
    const names = await battle.expectRevealed();
    expect([names.a, names.b].sort()).toEqual([ECHO.name, GGUF.name].sort());
    await expect(page.locator('.model-org')).toHaveText(
      names.a === GGUF.name ? [GGUF.organization, ECHO.organization] : [ECHO.organization, GGUF.organization],
    );
    await recorder.settle();
    const afterVote = recorder.drain();
    const voteResponse = afterVote.find((r) => r.url.endsWith('/vote'));
    expect(voteResponse?.body).toContain(GGUF.name);
    expect(voteResponse?.body).toContain(ECHO.name);
    // The same search finds them now, so a leak before the vote could not have gone unseen.
    expect(findLeaks([voteResponse!], [GGUF.name, ECHO.organization])).toHaveLength(2);
  });
});

test.describe('a battle in which one side fails', () => {
  let app: AppServer;

  test.beforeAll(async () => {
    app = await startApp({
      registry: {
        models: [
          {
            ...GGUF,
            provider: { kind: 'gguf', path: GGUF_FILE, contextSize: 512, threads: 1, promptFormat: 'plain' },
            defaults: { temperature: 0.8, maxTokens: 48 },
          },
          {
            ...BROKEN,
            // The stub's 500 names the upstream model and URL: none of it may reach the browser.
            provider: { kind: 'openai-compatible', baseURL: stub.url, model: 'stub-fail' },
          },
        ],
      },
    });
  });

  test.afterAll(async () => {
    await app?.stop();
  });

  test('error messages and failed-battle answers identify nothing', async ({ page }) => {
    const recorder = await recordResponses(page);
    const battle = new BattlePage(page);
    await battle.goto(app.url);
    await battle.ask('Once upon a time');
    await battle.waitForTurnEnd();
    expect(await battle.failedSides()).toHaveLength(1);
    const id = await battle.battleId();
    // A refused vote's error text, and the failed battle as the API shows it.
    await page.evaluate(async (battleId) => {
      await (await fetch(`/api/battles/${battleId}/vote`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"winner":"tie"}' })).text();
      await (await fetch(`/api/battles/${battleId}`)).text();
    }, id);
    await recorder.settle();
    const all = recorder.drain();
    const stream = all.find((r) => r.headers.includes('application/x-ndjson'));
    expect(stream?.body).toContain('"type":"error"');
    expect(all.find((r) => r.url.endsWith('/vote'))?.status).toBe(409);

    expect(findLeaks(all, [...secretsFor([GGUF, BROKEN], stub), 'Internal failure', 'server_error'])).toEqual([]);
    const dom = (await page.content()).toLowerCase();
    for (const s of secretsFor([GGUF, BROKEN], stub)) expect(dom).not.toContain(s.toLowerCase());
  });
});
