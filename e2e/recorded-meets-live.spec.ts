import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';

/**
 * With the operator's pairing.liveInRecorded, a live model answers a recorded question live and
 * meets recorded models in one battle. Blindness: the stream must not tell which side is the
 * recorded one — neither by what it says, nor by when each side starts, nor by how it ends.
 */

const SET = '@data/recorded-answers/vicuna80';
const NAMES = /Recorded Turbo|Recorded Sonnet|Live Slowpoke|rec-gpt35|rec-claude|live-slow|stub-|127\.0\.0\.1/;

let stub: OpenAIStub;
let app: AppServer;

test.beforeAll(async () => {
  stub = await startOpenAIStub();
  app = await startApp({
    registry: {
      models: [
        // The recorded models are drawn rarely, so nearly every battle pairs one with the live model.
        { id: 'rec-gpt35', name: 'Recorded Turbo', weight: 0.05, provider: { kind: 'recorded', set: SET, answers: 'answer_gpt35.jsonl', charsPerSecond: 4000 } },
        { id: 'rec-claude', name: 'Recorded Sonnet', weight: 0.05, provider: { kind: 'recorded', set: SET, answers: 'answer_claude.jsonl', charsPerSecond: 4000 } },
        { ...stubModel(stub, { id: 'live-slow', name: 'Live Slowpoke', model: 'stub-echo:ttft=400:chunk=3:words=40', maxTokens: 30 }), weight: 10 },
      ],
    },
  });
  const db = new Database(app.databasePath);
  db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('pairing', ?, ?)`).run(JSON.stringify({ liveInRecorded: true }), Date.now());
  db.close();
  // The app notices a change of settings within a couple of seconds.
  await new Promise((r) => setTimeout(r, 2_500));
});

test.afterAll(async () => {
  await app?.stop();
  await stub?.close();
});

interface Timed {
  at: number;
  event: { type: string; side?: 'a' | 'b'; text?: string; finishReason?: string; battleId?: string };
}

async function recordedBattle(questionId: string): Promise<{ events: Timed[]; raw: string; cookie: string }> {
  const t0 = performance.now();
  const res = await fetch(`${app.url}/api/battles`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mode: 'recorded', questionId }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let raw = '';
  const events: Timed[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    const chunk = decoder.decode(r.value, { stream: true });
    raw += chunk;
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) events.push({ at: performance.now() - t0, event: JSON.parse(line) });
    }
  }
  return { events, raw, cookie };
}

test('a live model meets a recorded one on a recorded question, and the stream does not tell them apart', async () => {
  const { events, raw, cookie } = await recordedBattle('1');
  expect(raw).not.toMatch(NAMES);
  const id = events[0].event.battleId!;
  const db = new Database(app.databasePath, { readonly: true });
  const battle = db.prepare('SELECT model_a, model_b, mode, sampling_probability AS p, question_id AS q FROM battles WHERE id = ?').get(id) as Record<string, unknown>;
  db.close();
  expect(battle).toMatchObject({ mode: 'recorded', q: '1' });
  expect([battle.model_a, battle.model_b].sort()).toEqual(expect.arrayContaining(['live-slow']));
  expect([battle.model_a, battle.model_b].some((m) => String(m).startsWith('rec-'))).toBe(true);
  expect(battle.p).toBeGreaterThan(0);
  expect(battle.p).toBeLessThanOrEqual(1);

  const first = (side: 'a' | 'b') => events.find((e) => e.event.type === 'delta' && e.event.side === side)!;
  const done = (side: 'a' | 'b') => events.find((e) => e.event.type === 'done' && e.event.side === side)!;
  // The recorded side would start at once and the live one after 400 ms: both start together, after the live one is done.
  expect(first('a').at).toBeGreaterThan(400);
  expect(Math.abs(first('a').at - first('b').at)).toBeLessThan(150);
  // The live answer hits its 30-token limit; the recorded one never can: both end as a plain stop.
  expect(done('a').event.finishReason).toBe('stop');
  expect(done('b').event.finishReason).toBe('stop');

  // The vote reveals which was which.
  const vote = await fetch(`${app.url}/api/battles/${id}/vote`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ winner: 'tie' }),
  });
  const revealed = await vote.text();
  expect(vote.status, revealed).toBe(200);
  expect(revealed).toContain('Live Slowpoke');
});
