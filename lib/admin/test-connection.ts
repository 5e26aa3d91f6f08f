import { listModelRows } from '../../db/queries/models';
import { AppError } from '../errors';
import { createProvider } from '../providers/create-provider';
import type { ModelProvider, StreamRequest } from '../providers/types';
import { readAnswers } from '../registry/recorded-set';
import { findModel } from '../registry/lookup';
import { resolveEntryPaths } from '../registry/resolve-paths';
import { modelEntrySchema, type ModelEntry } from '../registry/schema';
import { appRoot, type ConsoleDeps } from './deps';
import { prepareEntry } from './models';

/**
 * "Test connection": one short real request to a model, from the console. It reports the time to
 * the first token and in all, and the start of the answer, or the provider's error for the
 * operator (errors never carry an API key: the adapters redact them). A saved model is tested
 * with the provider the arena uses; a draft from the form gets a provider of its own, disposed
 * afterwards, with its paths fenced like a saved one.
 */

export type TestResult =
  | { ok: true; firstTokenMs: number | null; totalMs: number; sample: string; finishReason: string; outputTokens: number | null }
  | { ok: false; totalMs: number; error: string };

export const TEST_PROMPT = 'Say hello and name one colour, in one short sentence.';
const SAMPLE_CHARS = 240;
const TIMEOUT_MS = 30_000;

async function firstRecordedQuestion(entry: ModelEntry): Promise<string | undefined> {
  if (entry.provider.kind !== 'recorded') return undefined;
  const answers = await readAnswers(entry.provider.answers);
  return answers.keys().next().value;
}

async function run(provider: ModelProvider, entry: ModelEntry, timeoutMs: number): Promise<TestResult> {
  const started = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let sample = '';
  let firstTokenMs: number | null = null;
  let finishReason = 'stop';
  let outputTokens: number | null = null;
  try {
    const request: StreamRequest = {
      messages: [
        ...(entry.defaults.systemPrompt ? [{ role: 'system' as const, content: entry.defaults.systemPrompt }] : []),
        { role: 'user', content: TEST_PROMPT },
      ],
      settings: { temperature: entry.defaults.temperature, maxTokens: Math.min(entry.defaults.maxTokens, 48) },
      signal: controller.signal,
      questionId: await firstRecordedQuestion(entry),
    };
    for await (const event of provider.stream(request)) {
      if (event.type === 'delta') {
        firstTokenMs ??= performance.now() - started;
        sample += event.text;
        // Enough to see that it answers; a recorded answer would otherwise stream for seconds.
        if (sample.length >= SAMPLE_CHARS) {
          finishReason = 'sample complete';
          break;
        }
      } else {
        finishReason = event.finishReason;
        outputTokens = event.outputTokens ?? null;
      }
    }
    const totalMs = performance.now() - started;
    if (finishReason === 'aborted' && controller.signal.aborted) {
      return { ok: false, totalMs, error: `no complete answer within ${timeoutMs / 1000} s${sample ? ` (got "${sample.slice(0, 80)}")` : ''}` };
    }
    if (!sample) return { ok: false, totalMs, error: `the model answered with no text (finish reason "${finishReason}")` };
    return { ok: true, firstTokenMs, totalMs, sample: sample.slice(0, SAMPLE_CHARS), finishReason, outputTokens };
  } catch (err) {
    return { ok: false, totalMs: performance.now() - started, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Tests a saved model with the arena's own provider for it. */
export async function testSavedModel(deps: ConsoleDeps, id: string, opts: { timeoutMs?: number } = {}): Promise<TestResult> {
  const entry = findModel(deps.registry(), id);
  if (!entry) throw new AppError('not_found', 'No model with this id in the registry.');
  return run(deps.provider(id), entry, opts.timeoutMs ?? TIMEOUT_MS);
}

/** Tests an entry as it stands in the form, before (or without) saving it. */
export async function testDraftModel(deps: ConsoleDeps, raw: unknown, opts: { timeoutMs?: number } = {}): Promise<TestResult> {
  const id = (raw as { id?: unknown } | null)?.id;
  const stored = typeof id === 'string' ? (await listModelRows()).find((r) => r.id === id) : undefined;
  const previous = stored ? modelEntrySchema.safeParse(safeJson(stored.entry)) : null;
  const entry = prepareEntry(deps, raw, previous?.success ? previous.data : null);
  const root = appRoot();
  const resolved = resolveEntryPaths(entry, { baseDir: root, root }).entry;
  const live = findModel(deps.registry(), resolved.id);
  // The same configuration as the saved model: its provider (a GGUF model is loaded once) serves.
  if (live && JSON.stringify(live.provider) === JSON.stringify(resolved.provider)) {
    return run(deps.provider(live.id), resolved, opts.timeoutMs ?? TIMEOUT_MS);
  }
  const provider = createProvider(resolved);
  try {
    return await run(provider, resolved, opts.timeoutMs ?? TIMEOUT_MS);
  } finally {
    await provider.dispose?.().catch(() => {});
  }
}
