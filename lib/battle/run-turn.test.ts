import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIStub, type OpenAIStub } from '../../e2e/fixtures/openai-stub';
import { createProvider } from '../providers/create-provider';
import { modelEntrySchema } from '../registry/schema';
import { runTurn, STOP_REASONS, type SideInput, type TurnEvent } from './run-turn';

// The stub is the network edge; the providers are the real AI SDK adapters.
let stub: OpenAIStub;
beforeAll(async () => {
  stub = await startOpenAIStub();
});
afterAll(async () => {
  await stub?.close();
});

function side(side: 'a' | 'b', model: string, prompt = 'Tell me a story'): SideInput {
  const entry = modelEntrySchema.parse({
    id: `x-${model.replace(/=/g, "-")}`,
    name: model,
    provider: { kind: 'openai-compatible', baseURL: stub.url, model },
  });
  return {
    side,
    provider: createProvider(entry),
    messages: [{ role: 'user', content: prompt }],
    settings: { temperature: 0.5, maxTokens: 256 },
  };
}

async function run(a: string, b: string, opts: { timeoutMs?: number; signal?: AbortSignal; maxAnswerChars?: number } = {}) {
  const events: TurnEvent[] = [];
  const outcomes = await runTurn({
    sides: [side('a', a), side('b', b)],
    timeoutMs: opts.timeoutMs ?? 10_000,
    signal: opts.signal,
    emit: (e) => events.push(e),
    graceMs: 500,
    maxAnswerChars: opts.maxAnswerChars,
  });
  return { events, outcomes };
}

describe('runTurn', () => {
  it('streams both sides concurrently and reports done with tokens', async () => {
    const { events, outcomes } = await run('stub-echo:chunk=5', 'stub-echo:chunk=5:words=20');
    const firstB = events.findIndex((e) => e.side === 'b' && e.type === 'delta');
    const lastA = events.findLastIndex((e) => e.side === 'a' && e.type === 'delta');
    // Interleaved: b started before a finished.
    expect(firstB).toBeLessThan(lastA);
    const text = (s: 'a' | 'b') =>
      events.filter((e): e is Extract<TurnEvent, { type: 'delta' }> => e.type === 'delta' && e.side === s).map((e) => e.text).join('');
    expect(text('a')).toContain('You asked: "Tell me a story"');
    expect(outcomes[0]).toMatchObject({ side: 'a', ok: true, finishReason: 'stop', error: null });
    expect(outcomes[0].content).toBe(text('a'));
    expect(outcomes[0].tokens).toBeGreaterThan(5);
    expect(outcomes[0].ttftMs).not.toBeNull();
    expect(outcomes[1].content).toContain('word19');
    expect(events.filter((e) => e.type === 'done').map((e) => e.side).sort()).toEqual(['a', 'b']);
  });

  it('a provider error fails one side with a sanitised message; the other side still finishes', async () => {
    const { events, outcomes } = await run('stub-echo', 'stub-fail');
    const err = events.find((e) => e.type === 'error');
    expect(err).toEqual({
      type: 'error',
      side: 'b',
      code: 'provider_error',
      message: "Side B's model failed to answer (provider error).",
    });
    expect(JSON.stringify(events)).not.toMatch(/stub-fail|127\.0\.0\.1|chat\/completions/);
    expect(outcomes[0].ok).toBe(true);
    expect(outcomes[1]).toMatchObject({ ok: false, code: 'provider_error', finishReason: 'provider_error' });
    // The full error is kept for operators.
    expect(outcomes[1].error).toMatch(/stub-fail|500|Internal failure/);
  });

  it('an empty answer is an error "empty"', async () => {
    const { outcomes, events } = await run('stub-empty', 'stub-echo');
    expect(outcomes[0]).toMatchObject({ ok: false, code: 'empty' });
    expect(events).toContainEqual({ type: 'error', side: 'a', code: 'empty', message: "Side A's model returned an empty answer." });
  });

  it('a dropped connection mid-stream is a provider error, keeping the partial text', async () => {
    const { outcomes } = await run('stub-midstream', 'stub-echo');
    expect(outcomes[0]).toMatchObject({ ok: false, code: 'provider_error' });
  });

  it('a side that does not answer in time fails with "timeout" without holding the other', async () => {
    const started = Date.now();
    const { outcomes, events } = await run('stub-echo', 'stub-hang', { timeoutMs: 600 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(outcomes[0].ok).toBe(true);
    expect(outcomes[1]).toMatchObject({ ok: false, code: 'timeout' });
    expect(events.find((e) => e.type === 'error')?.type === 'error' && (events.find((e) => e.type === 'error') as { message: string }).message).toBe(
      "Side B's model did not finish within 0.6 seconds.",
    );
  });

  it('the client going away stops both sides and marks them aborted', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 300);
    const before = stub.requests.length;
    const { outcomes } = await run('stub-echo:chunk=50:words=200', 'stub-hang', { signal: ctl.signal });
    expect(outcomes.map((o) => o.code)).toEqual(['aborted', 'aborted']);
    expect(outcomes[0].content.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    // Both upstream requests were cancelled, not left running.
    const mine = stub.requests.slice(before).filter((r) => r.path === '/v1/chat/completions');
    expect(mine).toHaveLength(2);
    expect(mine.every((r) => r.clientAborted)).toBe(true);
  });

  it('an answer past the cap is cut there, ends with "length", and the provider is stopped', async () => {
    const before = stub.requests.length;
    const { outcomes, events } = await run('stub-echo:chunk=2:words=2000', 'stub-echo', { maxAnswerChars: 300 });
    expect(outcomes[0]).toMatchObject({ ok: true, finishReason: 'length', error: null });
    expect(outcomes[0].content).toHaveLength(300);
    expect(events).toContainEqual({ type: 'done', side: 'a', finishReason: 'length' });
    const sent = events.filter((e) => e.type === 'delta' && e.side === 'a').map((e) => (e as { text: string }).text).join('');
    expect(sent).toBe(outcomes[0].content);
    expect(outcomes[1]).toMatchObject({ ok: true, finishReason: 'stop' });
    await new Promise((r) => setTimeout(r, 200));
    const capped = stub.requests.slice(before).find((r) => r.model === 'stub-echo:chunk=2:words=2000');
    expect(capped?.clientAborted).toBe(true);
  });

  it('the reason a turn was stopped is stored with the aborted answers', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort('shutdown'), 200);
    const { outcomes } = await run('stub-echo:chunk=50:words=200', 'stub-hang', { signal: ctl.signal });
    expect(outcomes.map((o) => [o.code, o.error])).toEqual([
      ['aborted', STOP_REASONS.shutdown],
      ['aborted', STOP_REASONS.shutdown],
    ]);
  });
});
