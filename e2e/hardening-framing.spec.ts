import { expect, test } from '@playwright/test';
import { deltas, NO_LIMITS, streamBattle, voteOn } from './fixtures/api-battle';
import { startApp, type AppServer } from './fixtures/app-server';
import { chunksOf, piecesOf, startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';

/**
 * The stream carries no tokenizer fingerprint. Two models give the same answer at the same speed
 * but cut it differently (word-sized chunks against 3-character chunks, as two tokenizers would).
 * A classifier on the chunk statistics of each side tells them apart from the provider's chunks,
 * and is at chance on what the browser receives, over many battles.
 */

const WORDS = 'stub-echo:words=140:cps=2500';
const PIECES = 'stub-echo:words=140:cps=2500:piece=3';
const BATTLES = 40;
const UNIT = 16;

type Features = number[];

/** Chunk statistics of one side: how many, mean and spread of sizes, first and largest. */
function features(chunks: string[]): Features {
  const sizes = chunks.map((c) => c.length);
  const mean = sizes.reduce((s, x) => s + x, 0) / sizes.length;
  const sd = Math.sqrt(sizes.reduce((s, x) => s + (x - mean) ** 2, 0) / sizes.length);
  return [sizes.length, mean, sd, sizes[0], Math.max(...sizes)];
}

/**
 * Leave-one-out nearest-centroid classification on z-scored features: the share of samples whose
 * label is guessed right from all the others.
 */
function looAccuracy(samples: { x: Features; label: 0 | 1 }[]): number {
  const dims = samples[0].x.length;
  const mu = Array.from({ length: dims }, (_, d) => samples.reduce((s, p) => s + p.x[d], 0) / samples.length);
  const sd = Array.from({ length: dims }, (_, d) => Math.sqrt(samples.reduce((s, p) => s + (p.x[d] - mu[d]) ** 2, 0) / samples.length) || 1);
  const z = samples.map((p) => ({ x: p.x.map((v, d) => (v - mu[d]) / sd[d]), label: p.label }));
  let right = 0;
  z.forEach((p, i) => {
    const centroid = (label: 0 | 1) => {
      const others = z.filter((q, j) => j !== i && q.label === label);
      return Array.from({ length: dims }, (_, d) => others.reduce((s, q) => s + q.x[d], 0) / others.length);
    };
    const dist = (c: number[]) => c.reduce((s, v, d) => s + (v - p.x[d]) ** 2, 0);
    const guess = dist(centroid(0)) <= dist(centroid(1)) ? 0 : 1;
    if (guess === p.label) right++;
  });
  return right / z.length;
}

let stub: OpenAIStub;
let app: AppServer;

test.beforeAll(async () => {
  stub = await startOpenAIStub();
  app = await startApp({
    registry: {
      settings: { limits: NO_LIMITS, maxTurns: 2 },
      models: [
        stubModel(stub, { id: 'words-tokenizer', name: 'Words', model: WORDS, maxTokens: 4000 }),
        stubModel(stub, { id: 'pieces-tokenizer', name: 'Pieces', model: PIECES, maxTokens: 4000 }),
      ],
    },
  });
});

test.afterAll(async () => {
  await app?.stop();
  await stub?.close();
});

test('chunk sizes and counts of two tokenizers cannot be told apart on the wire', async ({ request }) => {
  test.setTimeout(240_000);
  const wire: { x: Features; label: 0 | 1 }[] = [];
  const upstream: { x: Features; label: 0 | 1 }[] = [];
  for (let i = 0; i < BATTLES; i++) {
    const { battleId, events } = await streamBattle(request, app.url, `Question number ${i % 5}`);
    const models = await voteOn(request, app.url, battleId);
    for (const side of ['a', 'b'] as const) {
      const frames = deltas(events, side);
      const text = frames.join('');
      expect(text).toContain('word139');
      // Every frame but the last is a whole number of units: no frame ends where a token did.
      for (const f of frames.slice(0, -1)) expect(f.length % UNIT).toBe(0);
      const label = models[side] === 'pieces-tokenizer' ? 1 : 0;
      wire.push({ x: features(frames), label });
      // What the provider sent for the same text (the stub's own chunking).
      upstream.push({ x: features(label ? piecesOf(text, 3) : chunksOf(text)), label });
    }
  }
  const onWire = looAccuracy(wire);
  const fromProvider = looAccuracy(upstream);
  console.log(`tokenizer classifier, ${wire.length} answers: ${(fromProvider * 100).toFixed(1)} % on provider chunks, ${(onWire * 100).toFixed(1)} % on the wire`);
  // The classifier does see tokenizers where they show...
  expect(fromProvider).toBeGreaterThan(0.95);
  // ...and on the wire it is at chance: above 0.68 would be 3.2 standard errors over a coin's 0.5.
  expect(onWire).toBeLessThan(0.68);
});

test('the number of frames is bounded by time, not by tokens', async ({ request }) => {
  const { events } = await streamBattle(request, app.url, 'How many frames?');
  for (const side of ['a', 'b'] as const) {
    const text = deltas(events, side).join('');
    // About 1,000 characters at 2,500 a second, at most one frame per 40 ms: far fewer than the
    // 300+ word chunks or 330+ three-character chunks the provider sent.
    expect(deltas(events, side).length).toBeLessThan(Math.ceil(text.length / UNIT) + 1);
    expect(deltas(events, side).length).toBeLessThan(chunksOf(text).length / 3);
  }
});

test.describe('start together', () => {
  let together: AppServer;
  test.beforeAll(async () => {
    together = await startApp({
      registry: {
        settings: { limits: NO_LIMITS, startTogether: true },
        models: [
          stubModel(stub, { id: 'quick-starter', name: 'Quick', model: 'stub-echo:words=60:cps=4000' }),
          stubModel(stub, { id: 'slow-starter', name: 'Slow', model: 'stub-echo:words=60:cps=4000:ttft=700' }),
        ],
      },
    });
  });
  test.afterAll(async () => {
    await together?.stop();
  });

  test('neither answer shows before both have their first words', async ({ request }) => {
    const { battleId, events } = await streamBattle(request, together.url, 'Who starts?');
    const models = await voteOn(request, together.url, battleId);
    const quick = models.a === 'quick-starter' ? 'a' : 'b';
    const slow = quick === 'a' ? 'b' : 'a';
    const indexOf = (side: 'a' | 'b', nth: number) => events.map((e, i) => (e.type === 'delta' && e.side === side ? i : -1)).filter((i) => i >= 0)[nth];
    // The quick side had its whole answer before the slow one began; still its second frame comes
    // only after the slow side's first.
    expect(indexOf(slow, 0)).toBeLessThan(indexOf(quick, 1));
    expect(deltas(events, quick).join('')).toContain('word59');
    expect(deltas(events, slow).join('')).toContain('word59');
  });
});

/**
 * The same on real inference: the two tiny GGUF models have different tokenizers (the probe told
 * them apart by characters per chunk in 20 of 20 battles). On the wire each side's frames are
 * whole units of characters whatever the model, so no frame says where a token ended.
 */
test.describe('the two tiny GGUF models, real inference', () => {
  let gguf: AppServer;
  const ggufModel = (id: string, file: string) => ({
    id,
    name: id,
    provider: { kind: 'gguf', path: `@data/models/${file}`, contextSize: 512, threads: 1, promptFormat: 'plain' },
    defaults: { temperature: 0.8, maxTokens: 128 },
  });

  test.beforeAll(async () => {
    gguf = await startApp({
      registry: {
        settings: { limits: NO_LIMITS, maxTurns: 2 },
        models: [ggufModel('stories-260k', 'stories260K/stories260K.gguf'), ggufModel('llama-2-tiny-random', 'llama-2-tiny-random/llama-2-tiny-random.gguf')],
      },
    });
  });

  test.afterAll(async () => {
    await gguf?.stop();
  });

  test('every frame of either model is a whole number of units (a surrogate pair is never split)', async ({ request }) => {
    test.setTimeout(180_000);
    let frames = 0;
    for (let i = 0; i < 6; i++) {
      const { battleId, events } = await streamBattle(request, gguf.url, `Once upon a time ${i}`);
      await voteOn(request, gguf.url, battleId);
      for (const side of ['a', 'b'] as const) {
        const sent = deltas(events, side);
        expect(sent.join('').length, `battle ${i} side ${side} said nothing`).toBeGreaterThan(0);
        sent.slice(0, -1).forEach((f, k) => {
          // One unit short only where the next frame starts with the other half of a surrogate pair.
          const split = f.length % UNIT === UNIT - 1 && /^[\uDC00-\uDFFF]/.test(sent[k + 1]);
          expect(f.length % UNIT === 0 || split, `frame of ${f.length} characters`).toBe(true);
        });
        frames += sent.length - 1;
      }
    }
    // The answers were framed, not sent whole: the rule above was tried on many frames.
    console.log(`GGUF battles: ${frames} frames before the last of their answers, each a whole number of units`);
    expect(frames).toBeGreaterThanOrEqual(12);
  });
});
