import { expect, test, type APIRequestContext } from '@playwright/test';
import { requireSharedData } from '../lib/shared-data';
import { ROOT, startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { queryStore, storeState as readStoreState } from './fixtures/store';

/**
 * The battle API against the real built server, its own store (SQLite or Postgres), and the OpenAI-compatible
 * stub at the network edge. Every refused request must answer with the right 4xx JSON error and
 * leave the store exactly as it was.
 */

const MODEL_WORDS = /alpha-model|beta-model|broken-model|Alpha Labs|Beta Works|Broken Inc|stub-|127\.0\.0\.1|openai|chat\/completions/i;

function registry(stub: OpenAIStub, models: { id: string; name: string; organization: string; model: string }[]) {
  return {
    settings: { maxTurns: 2, maxPromptChars: 200, timeoutMs: 15_000, leakWords: [] },
    models: models.map((m) => stubModel(stub, { ...m, maxTokens: 400 })),
  };
}

type Event = Record<string, unknown> & { type: string };

function parseNdjson(text: string): Event[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Event);
}

/** A stored boolean as one: SQLite keeps 1/0, Postgres true/false; anything else is left as it is, to fail. */
const flag = (v: unknown) => (v === 1 || v === true ? true : v === 0 || v === false ? false : v);

/** Everything a refused request could have changed. */
const storeState = (app: AppServer) => readStoreState(app);

async function expectError(res: Awaited<ReturnType<APIRequestContext['post']>>, status: number, code: string) {
  expect(res.status(), await res.text()).toBe(status);
  expect(res.headers()['content-type']).toContain('application/json');
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  expect(body.error.message).not.toMatch(MODEL_WORDS);
}

async function createBattle(request: APIRequestContext, app: AppServer, prompt = 'Say hello') {
  const res = await request.post(`${app.url}/api/battles`, { data: { prompt } });
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('application/x-ndjson');
  const text = await res.text();
  expect(text).not.toMatch(MODEL_WORDS);
  const events = parseNdjson(text);
  expect(events[0]).toMatchObject({ type: 'battle', turn: 1 });
  return { id: events[0].battleId as string, events };
}

test.describe('battle API: healthy models', () => {
  let stub: OpenAIStub;
  let app: AppServer;

  test.beforeAll(async () => {
    stub = await startOpenAIStub();
    app = await startApp({
      registry: registry(stub, [
        { id: 'alpha-model', name: 'Alpha Model', organization: 'Alpha Labs', model: 'stub-echo:chunk=20' },
        { id: 'beta-model', name: 'Beta Model', organization: 'Beta Works', model: 'stub-echo:chunk=20:words=10' },
      ]),
    });
  });
  test.afterAll(async () => {
    await app?.stop();
    await stub?.close();
  });

  test('arena info names no model', async ({ request }) => {
    const res = await request.get(`${app.url}/api/arena`);
    expect(res.status()).toBe(200);
    const text = await res.text();
    expect(text).not.toMatch(MODEL_WORDS);
    expect(JSON.parse(text)).toEqual({
      modes: [
        { id: 'live', available: true, models: 2, onlyFixtures: false },
        { id: 'recorded', available: false, prompts: [] },
      ],
      limits: { maxPromptChars: 200, maxTurns: 2 },
      empty: false,
      defaultMode: 'live',
      // Counts only: which models they are is never said before a vote.
      models: { configured: 2, reachable: 2 },
      // Whether prompts may carry an image (two vision models), and the limits: no names either.
      images: { available: false, maxBytes: 5 * 1024 * 1024, types: ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] },
      participation: { notice: expect.any(String), requireConsent: false, consented: false, signInRequired: false, signedIn: false, proofOfWork: false },
    });
  });

  test('create streams turn 1, sets the voter cookie, and the vote reveals names and stats', async ({ request }) => {
    const res = await request.post(`${app.url}/api/battles`, { data: { prompt: 'Say hello' } });
    const setCookie = res.headers()['set-cookie'];
    expect(setCookie).toMatch(/^pw_voter=[^;]+;.*HttpOnly/);
    expect(setCookie).toContain('SameSite=Lax');
    for (const [k, v] of Object.entries(res.headers())) expect(`${k}: ${v}`).not.toMatch(MODEL_WORDS);
    const events = parseNdjson(await res.text());
    const id = events[0].battleId as string;
    expect(events.filter((e) => e.type === 'done').map((e) => e.side).sort()).toEqual(['a', 'b']);
    // No token counts before the vote (characters per token would hint at the tokenizer).
    expect(events.filter((e) => 'tokens' in e)).toEqual([]);
    expect(events.at(-1)).toEqual({ type: 'end', canVote: true, turn: 1, turnsLeft: 1 });
    expect(events.filter((e) => e.type === 'delta' && e.side === 'a').length).toBeGreaterThan(3);

    const view = await (await request.get(`${app.url}/api/battles/${id}`)).json();
    expect(view).toMatchObject({ id, status: 'active', mode: 'live', turn: 1, turnsLeft: 1, canVote: true });
    expect(view.revealed).toBeUndefined();
    expect(JSON.stringify(view)).not.toMatch(MODEL_WORDS);
    expect(JSON.stringify(view)).not.toContain('"tokens"');
    expect(view.sides.a.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);

    const vote = await request.post(`${app.url}/api/battles/${id}/vote`, { data: { winner: 'model_b' } });
    expect(vote.status()).toBe(200);
    const revealed = await vote.json();
    expect(revealed.winner).toBe('model_b');
    expect(revealed.excluded).toBe(false);
    expect(new Set([revealed.models.a.id, revealed.models.b.id])).toEqual(new Set(['alpha-model', 'beta-model']));
    const alphaSide = revealed.models.a.id === 'alpha-model' ? 'a' : 'b';
    expect(revealed.models[alphaSide]).toEqual({ id: 'alpha-model', name: 'Alpha Model', organization: 'Alpha Labs' });
    for (const s of ['a', 'b']) {
      expect(revealed.stats[s].ttftMs).toBeGreaterThanOrEqual(0);
      expect(revealed.stats[s].tokens).toBeGreaterThan(0);
      expect(revealed.stats[s].tokensPerSecond).toBeGreaterThan(0);
    }

    const after = await (await request.get(`${app.url}/api/battles/${id}`)).json();
    expect(after).toMatchObject({ status: 'voted', canVote: false, revealed });
    const [stored] = await queryStore(app, 'SELECT winner, voter_id, excluded_reason FROM votes WHERE battle_id = ?', [id]);
    const [battle] = await queryStore(app, 'SELECT sampling_probability, language FROM battles WHERE id = ?', [id]);
    expect(stored).toMatchObject({ winner: 'model_b', excluded_reason: null });
    expect(setCookie).toContain(`pw_voter=${stored.voter_id}.`);
    expect(battle).toEqual({ sampling_probability: 1, language: 'English' });
  });

  test('a vote on a conversation that names a model is kept but excluded, with the reason', async ({ request }) => {
    const { id } = await createBattle(request, app, 'Are you Beta Model or something else?');
    const vote = await request.post(`${app.url}/api/battles/${id}/vote`, { data: { winner: 'model_a' } });
    expect(vote.status()).toBe(200);
    expect(((await vote.json()) as { excluded: boolean }).excluded).toBe(true);
    const rows = await queryStore(app, 'SELECT winner, excluded_reason FROM votes WHERE battle_id = ?', [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual({ winner: 'model_a', excluded_reason: 'identity_leak: "beta model" in prompt, turn 1' });
  });

  test('malformed JSON, schema failures and unknown battles are refused and change nothing', async ({ request }) => {
    const { id } = await createBattle(request, app);
    const before = await storeState(app);
    const raw = { headers: { 'content-type': 'application/json' } };
    await expectError(await request.post(`${app.url}/api/battles`, { ...raw, data: Buffer.from('{"prompt": "hi"') }), 400, 'invalid_json');
    await expectError(await request.post(`${app.url}/api/battles/${id}/messages`, { ...raw, data: Buffer.from('not json') }), 400, 'invalid_json');
    await expectError(await request.post(`${app.url}/api/battles/${id}/vote`, { ...raw, data: Buffer.from('{') }), 400, 'invalid_json');
    await expectError(await request.post(`${app.url}/api/battles`, { data: { prompt: 42 } }), 400, 'validation_failed');
    await expectError(await request.post(`${app.url}/api/battles`, { data: { prompt: '   ' } }), 400, 'validation_failed');
    await expectError(await request.post(`${app.url}/api/battles/${id}/vote`, { data: { winner: 'model_c' } }), 400, 'validation_failed');

    const unknown = '00000000-0000-4000-8000-000000000000';
    await expectError(await request.get(`${app.url}/api/battles/${unknown}`), 404, 'not_found');
    await expectError(await request.post(`${app.url}/api/battles/${unknown}/messages`, { data: { prompt: 'x' } }), 404, 'not_found');
    await expectError(await request.post(`${app.url}/api/battles/${unknown}/regenerate`), 404, 'not_found');
    await expectError(await request.post(`${app.url}/api/battles/${unknown}/vote`, { data: { winner: 'tie' } }), 404, 'not_found');
    expect(await storeState(app)).toEqual(before);
    expect((await (await request.get(`${app.url}/api/battles/${id}`)).json()).canVote).toBe(true);
  });

  test('an oversized prompt is refused with 413 prompt_too_long', async ({ request }) => {
    const { id } = await createBattle(request, app);
    const before = await storeState(app);
    await expectError(await request.post(`${app.url}/api/battles`, { data: { prompt: 'x'.repeat(201) } }), 413, 'prompt_too_long');
    // Far beyond the body limit: refused before it is parsed.
    await expectError(await request.post(`${app.url}/api/battles`, { data: { prompt: 'y'.repeat(50_000) } }), 413, 'prompt_too_long');
    await expectError(
      await request.post(`${app.url}/api/battles/${id}/messages`, { data: { prompt: 'z'.repeat(201) } }),
      413,
      'prompt_too_long',
    );
    // Exactly at the limit is fine (checked on a follow-up so it does not create a battle).
    expect(await storeState(app)).toEqual(before);
    const ok = await request.post(`${app.url}/api/battles/${id}/messages`, { data: { prompt: 'é'.repeat(200) } });
    expect(ok.status()).toBe(200);
    expect(parseNdjson(await ok.text()).at(-1)).toMatchObject({ type: 'end', turn: 2 });
  });

  test('a vote or a message while a turn streams is refused with not_ready', async ({ request }) => {
    // Stream by hand so the battle id is known while both sides are still answering.
    const res = await fetch(`${app.url}/api/battles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Tell me a long story' }),
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    while (!buffered.includes('\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
    }
    const id = (JSON.parse(buffered.split('\n')[0]) as { battleId: string }).battleId;
    // The battle belongs to the voter this response minted.
    const headers = { cookie: res.headers.get('set-cookie')!.split(';')[0] };

    const during = await request.get(`${app.url}/api/battles/${id}`, { headers });
    expect(await during.json()).toMatchObject({ canVote: false, status: 'active' });
    await expectError(await request.post(`${app.url}/api/battles/${id}/vote`, { data: { winner: 'model_a' }, headers }), 409, 'not_ready');
    await expectError(await request.post(`${app.url}/api/battles/${id}/messages`, { data: { prompt: 'next' }, headers }), 409, 'not_ready');
    await expectError(await request.post(`${app.url}/api/battles/${id}/regenerate`, { headers }), 409, 'not_ready');

    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
    }
    const events = parseNdjson(buffered);
    expect(events.at(-1)).toMatchObject({ type: 'end', canVote: true });
    const [votes] = await queryStore<{ n: number }>(app, 'SELECT COUNT(*) AS n FROM votes WHERE battle_id = ?', [id]);
    const [turns] = await queryStore<{ turns: number }>(app, 'SELECT turns FROM battles WHERE id = ?', [id]);
    expect(votes.n).toBe(0);
    expect(turns.turns).toBe(1);
    expect((await request.post(`${app.url}/api/battles/${id}/vote`, { data: { winner: 'tie' }, headers })).status()).toBe(200);
  });

  test('after the vote: a second vote, messages and regenerate are refused; nothing changes', async ({ request }) => {
    const { id } = await createBattle(request, app);
    expect((await request.post(`${app.url}/api/battles/${id}/vote`, { data: { winner: 'tie (bothbad)' } })).status()).toBe(200);
    const before = await storeState(app);
    const viewBefore = await (await request.get(`${app.url}/api/battles/${id}`)).json();
    await expectError(await request.post(`${app.url}/api/battles/${id}/vote`, { data: { winner: 'model_a' } }), 409, 'already_voted');
    await expectError(await request.post(`${app.url}/api/battles/${id}/messages`, { data: { prompt: 'more' } }), 409, 'battle_closed');
    await expectError(await request.post(`${app.url}/api/battles/${id}/regenerate`), 409, 'battle_closed');
    expect(await storeState(app)).toEqual(before);
    const viewAfter = await (await request.get(`${app.url}/api/battles/${id}`)).json();
    expect(viewAfter).toEqual(viewBefore);
    expect(viewAfter.revealed.winner).toBe('tie (bothbad)');
  });

  test('past the turn limit a message is refused with turn_limit', async ({ request }) => {
    const { id } = await createBattle(request, app);
    const second = await request.post(`${app.url}/api/battles/${id}/messages`, { data: { prompt: 'And then?' } });
    const events = parseNdjson(await second.text());
    expect(events.at(-1)).toEqual({ type: 'end', canVote: true, turn: 2, turnsLeft: 0 });
    // Each side got its own history: both prompts and its own first answer.
    const last = stub.requests.filter((r) => r.path === '/v1/chat/completions').slice(-2);
    for (const r of last) expect(r.messages?.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);

    const before = await storeState(app);
    await expectError(await request.post(`${app.url}/api/battles/${id}/messages`, { data: { prompt: 'Third?' } }), 409, 'turn_limit');
    expect(await storeState(app)).toEqual(before);
    const view = await (await request.get(`${app.url}/api/battles/${id}`)).json();
    expect(view).toMatchObject({ turn: 2, turnsLeft: 0, canVote: true, canSend: false });
  });

  test('regenerate keeps the old answers as superseded and streams new ones', async ({ request }) => {
    const { id } = await createBattle(request, app);
    const res = await request.post(`${app.url}/api/battles/${id}/regenerate`);
    expect(res.status()).toBe(200);
    const events = parseNdjson(await res.text());
    expect(events.at(-1)).toEqual({ type: 'end', canVote: true, turn: 1, turnsLeft: 1 });
    const rows = await queryStore<{ side: string; superseded: number | boolean }>(
      app,
      "SELECT side, superseded FROM messages WHERE battle_id = ? AND role = 'assistant' ORDER BY id",
      [id],
    );
    // A boolean: 1/0 on SQLite, true/false on Postgres.
    expect(rows.map((r) => [r.side, flag(r.superseded)])).toEqual([
      ['a', true],
      ['b', true],
      ['a', false],
      ['b', false],
    ]);
    const view = await (await request.get(`${app.url}/api/battles/${id}`)).json();
    expect(view.sides.a).toHaveLength(2);
  });

  test('closing the connection mid-answer stops both sides and stores them as aborted', async () => {
    const ctl = new AbortController();
    const res = await fetch(`${app.url}/api/battles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'A long one please' }),
      signal: ctl.signal,
    });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const id = (JSON.parse(first.split('\n')[0]) as { battleId: string }).battleId;
    ctl.abort();
    await expect
      .poll(async () => {
        const rows = await queryStore<{ finish_reason: string | null }>(
          app,
          "SELECT finish_reason FROM messages WHERE battle_id = ? AND role = 'assistant' ORDER BY id",
          [id],
        );
        const [battle] = await queryStore<{ status: string }>(app, 'SELECT status FROM battles WHERE id = ?', [id]);
        return [battle.status, ...rows.map((r) => r.finish_reason)];
      })
      .toEqual(['abandoned', 'aborted', 'aborted']);
  });
});

test.describe('battle API: recorded answers', () => {
  let app: AppServer;

  test.beforeAll(async () => {
    const set = requireSharedData('recorded-answers/vicuna80', ROOT);
    const recorded = (id: string, name: string, organization: string, answers: string) => ({
      id,
      name,
      organization,
      provider: { kind: 'recorded', set, answers, charsPerSecond: 50_000 },
    });
    app = await startApp({
      registry: {
        settings: { maxTurns: 3 },
        models: [
          recorded('gpt-4', 'GPT-4 (recorded)', 'OpenAI', 'answer_gpt4.jsonl'),
          recorded('vicuna-13b', 'Vicuna 13B (recorded)', 'LMSYS', 'answer_vicuna-13b.jsonl'),
        ],
      },
    });
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  test('offers the prompt set, streams both recorded answers, and refuses follow-ups', async ({ request }) => {
    const info = (await (await request.get(`${app.url}/api/arena`)).json()) as {
      modes: { id: string; available: boolean; prompts?: { questionId: string; text: string }[] }[];
      empty: boolean;
    };
    expect(info.modes[0]).toEqual({ id: 'live', available: false, models: 0, onlyFixtures: false });
    expect(info.modes[1].available).toBe(true);
    expect(info.modes[1].prompts!.length).toBeGreaterThanOrEqual(79);
    expect(info.empty).toBe(false);
    const question = info.modes[1].prompts![0];

    const res = await request.post(`${app.url}/api/battles`, {
      data: { mode: 'recorded', questionId: question.questionId, prompt: question.text },
    });
    expect(res.status()).toBe(200);
    const events = parseNdjson(await res.text());
    expect(events.at(-1)).toEqual({ type: 'end', canVote: true, turn: 1, turnsLeft: 2 });
    const id = events[0].battleId as string;
    const view = (await (await request.get(`${app.url}/api/battles/${id}`)).json()) as {
      mode: string;
      questionId: string;
      sides: Record<'a' | 'b', { role: string; content: string }[]>;
    };
    expect(view).toMatchObject({ mode: 'recorded', questionId: question.questionId });
    expect(view.sides.a[0].content).toBe(question.text);
    expect(view.sides.a[1].content.length).toBeGreaterThan(100);
    expect(view.sides.a[1].content).not.toBe(view.sides.b[1].content);

    const before = await storeState(app);
    await expectError(await request.post(`${app.url}/api/battles/${id}/messages`, { data: { prompt: 'more' } }), 409, 'conflict');
    await expectError(
      await request.post(`${app.url}/api/battles`, { data: { mode: 'recorded', questionId: 'no-such-question' } }),
      404,
      'not_found',
    );
    expect(await storeState(app)).toEqual(before);
    expect((await request.post(`${app.url}/api/battles/${id}/vote`, { data: { winner: 'model_a' } })).status()).toBe(200);

    // The question's category becomes a custom tag, and so a leaderboard category of its own.
    const category = (info.modes[1].prompts![0] as { category?: string }).category!;
    const [{ tags }] = await queryStore<{ tags: string }>(app, 'SELECT tags FROM battles WHERE id = ?', [id]);
    expect(JSON.parse(tags)).toEqual([category]);
    await expect
      .poll(async () => {
        const res = await request.get(`${app.url}/api/leaderboard?category=${encodeURIComponent(`tag:${category}`)}`);
        return res.ok() ? ((await res.json()) as { battles: number }).battles : -1;
      })
      .toBe(1);
  });
});

test.describe('battle API: a side that fails', () => {
  let stub: OpenAIStub;
  let app: AppServer;

  test.beforeAll(async () => {
    stub = await startOpenAIStub();
    app = await startApp({
      registry: registry(stub, [
        { id: 'alpha-model', name: 'Alpha Model', organization: 'Alpha Labs', model: 'stub-echo' },
        { id: 'broken-model', name: 'Broken Model', organization: 'Broken Inc', model: 'stub-fail' },
      ]),
    });
  });
  test.afterAll(async () => {
    await app?.stop();
    await stub?.close();
  });

  test('the error reaches the page sanitised, the battle is failed, and its vote is refused', async ({ request }) => {
    const { id, events } = await createBattle(request, app);
    const error = events.find((e) => e.type === 'error')!;
    expect(error).toMatchObject({ type: 'error', code: 'provider_error' });
    expect(error.message).toBe(`Side ${String(error.side).toUpperCase()}'s model failed to answer (provider error).`);
    expect(events.at(-1)).toEqual({ type: 'end', canVote: false, turn: 1, turnsLeft: 1 });

    const view = await (await request.get(`${app.url}/api/battles/${id}`)).json();
    expect(view).toMatchObject({ status: 'failed', canVote: false, canSend: false, canRegenerate: true });
    expect(JSON.stringify(view)).not.toMatch(MODEL_WORDS);

    const before = await storeState(app);
    await expectError(await request.post(`${app.url}/api/battles/${id}/vote`, { data: { winner: 'model_a' } }), 409, 'battle_closed');
    await expectError(await request.post(`${app.url}/api/battles/${id}/messages`, { data: { prompt: 'again' } }), 409, 'not_ready');
    expect(await storeState(app)).toEqual(before);

    // The full provider error is stored for operators.
    const errors = await queryStore<{ error: string }>(
      app,
      "SELECT error FROM messages WHERE battle_id = ? AND role = 'assistant' AND error IS NOT NULL",
      [id],
    );
    expect(errors).toHaveLength(1);
    expect(errors[0].error).toMatch(/stub-fail|Internal failure|500/);

    // The server is still healthy.
    expect((await request.get(`${app.url}/api/health`)).status()).toBe(200);
  });
});

test('a bad registry file stops start-up with a message naming the file, the entry and the field', async () => {
  const started = startApp({
    registry: { models: [{ id: 'half-done', name: 'Half', provider: { kind: 'gguf' } }] },
  });
  const error = await started.then(
    async (app) => {
      await app.stop();
      return null;
    },
    (e: Error) => e,
  );
  expect(error, 'the server must not start').not.toBeNull();
  expect(error!.message).toMatch(/app exited with 1/);
  expect(error!.message).toMatch(/Invalid model registry \S*models\.json: models\[0\] \(id "half-done"\), field "provider\.path"/);
});
