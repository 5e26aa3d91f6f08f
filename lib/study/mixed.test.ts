import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIStub, type OpenAIStub } from '../../e2e/fixtures/openai-stub';

/**
 * A study that mixes a recorded model with a live one (the OpenAI-compatible stub at the network
 * edge, through the real AI SDK adapter): the live model answers the item's text, the recorded
 * one replays its answer to the same question; written attention checks stream their texts.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-study-mixed-'));
process.env.DATABASE_PATH = path.join(dir, 'mixed.db');
const { executeTurn } = await import('../battle/turns');
const { storeTurnLock } = await import('../battle/turn-lock');
const { leakMatcher } = await import('../battle/leak-check');
const { createProvider } = await import('../providers/create-provider');
const { loadRegistry } = await import('../registry/load');
const { modelEntrySchema } = await import('../registry/schema');
const { createStudy } = await import('./create');
const { joinStudy, nextItem, judgeItem } = await import('./participate');
const { studyReport } = await import('./console');
type Deps = import('../battle/deps').BattleDeps;

let stub: OpenAIStub;
let deps: Deps;
beforeAll(async () => {
  stub = await startOpenAIStub();
  const file = await loadRegistry({ file: path.join(ROOT, 'models.json'), dataRoot: ROOT });
  const gpt4 = file.models.find((m) => m.id === 'gpt-4')!;
  const models = [
    { ...gpt4, provider: { ...gpt4.provider, charsPerSecond: 1_000_000 } } as typeof gpt4,
    modelEntrySchema.parse({ id: 'live-echo', name: 'Live Echo', provider: { kind: 'openai-compatible', baseURL: stub.url, model: 'stub-echo:words=8' } }),
  ];
  const registry = { ...file, models };
  const providers = new Map<string, ReturnType<typeof createProvider>>();
  deps = {
    registry: () => registry,
    provider: (id) => providers.get(id) ?? providers.set(id, createProvider(models.find((m) => m.id === id)!)).get(id)!,
    isHealthy: async () => true,
    recordedPrompts: async () => [],
    leak: () => leakMatcher([]),
    turns: storeTurnLock(),
  };
});
afterAll(async () => {
  await stub?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a study of a recorded and a live model', () => {
  it('both answer the item; written checks stream their texts and record a failure', async () => {
    await createStudy(
      deps.registry(),
      {
        slug: 'mixed',
        title: 'Mixed',
        prompts: { set: 'vicuna80', questions: [1, 5] },
        models: ['gpt-4', 'live-echo'],
        judgmentsPerPair: 1,
        access: 'anonymous',
        attentionChecks: { every: 1, items: [{ prompt: 'What is 2 + 2?', good: 'Two plus two is four.', bad: 'Bananas are yellow.' }] },
      },
      { createdBy: null, open: true },
    );
    const who = { voterId: 'solo', userId: null, network: 'n', user: null };
    await joinStudy('mixed', who, {});
    const seen: { prompt: string; a: string; b: string }[] = [];
    for (;;) {
      const next = await nextItem(deps, 'mixed', who);
      if (next.kind === 'done') break;
      expect(next.kind).toBe('turn');
      if (next.kind !== 'turn') break;
      const text = { a: '', b: '' };
      let battleId = '';
      await executeTurn(deps, next.prepared, {
        emit: (e) => {
          if (e.type === 'battle') battleId = e.battleId;
          if (e.type === 'delta') text[e.side] += e.text;
        },
      });
      seen.push({ prompt: next.prompt, ...text });
      // Always the left side: right for a check only when the sound answer is on the left.
      await judgeItem(deps, 'mixed', who, { battleId, winner: 'model_a' });
    }
    expect(seen).toHaveLength(3);
    const items = seen.filter((s) => s.prompt !== 'What is 2 + 2?');
    expect(items.map((s) => s.prompt).sort()).toEqual(['Can you explain the basics of quantum computing?', 'How can I improve my time management skills?']);
    for (const s of items) {
      // The live side quotes the prompt; the recorded side is GPT-4's recorded answer.
      const [live, recorded] = s.a.includes(s.prompt) ? [s.a, s.b] : [s.b, s.a];
      expect(live).toContain(s.prompt);
      expect(recorded.length).toBeGreaterThan(200);
    }
    const check = seen.find((s) => s.prompt === 'What is 2 + 2?')!;
    expect([check.a, check.b].sort()).toEqual(['Bananas are yellow.', 'Two plus two is four.']);
    const { report, rows } = await studyReport('mixed', { conversations: false });
    expect(report.judgments).toMatchObject({ counted: 2, attentionChecks: 1 });
    const passed = check.a === 'Two plus two is four.';
    expect(report.attention.failed).toBe(passed ? 0 : 1);
    expect(rows.find((r) => r.kind === 'check')!.expected).toBe(passed ? 'model_a' : 'model_b');
  });
});
