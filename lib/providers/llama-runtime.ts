import fs from 'node:fs';
import type { Llama, LlamaModel } from 'node-llama-cpp';

/**
 * One llama.cpp runtime per process and one loaded copy of each GGUF file, shared by every provider
 * (and request) that uses it. Kept on globalThis so that module reloading in `next dev` does not
 * load the same weights twice. node-llama-cpp is imported lazily: it is a large native module that
 * the CLI and most tests never need.
 */

interface RuntimeState {
  llama: Promise<Llama> | null;
  models: Map<string, Promise<LlamaModel>>;
}

const KEY = Symbol.for('pairwise.llama-runtime');
const globalStore = globalThis as unknown as Record<symbol, RuntimeState | undefined>;
const state: RuntimeState = (globalStore[KEY] ??= { llama: null, models: new Map() });

export function getLlamaRuntime(): Promise<Llama> {
  if (!state.llama) {
    state.llama = (async () => {
      const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
      // CPU only, and never compile llama.cpp at run time: use the prebuilt binary or fail clearly.
      return getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    })();
    state.llama.catch(() => (state.llama = null));
  }
  return state.llama;
}

function canonical(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/** The loaded model for a file; loads it on first use. */
export function loadSharedModel(file: string): Promise<LlamaModel> {
  const key = canonical(file);
  let p = state.models.get(key);
  if (!p) {
    p = getLlamaRuntime().then((llama) => llama.loadModel({ modelPath: key }));
    p.catch(() => state.models.delete(key));
    state.models.set(key, p);
  }
  return p;
}

/** Number of distinct GGUF files currently loaded (for tests and diagnostics). */
export function loadedModelCount(): number {
  return state.models.size;
}

/** Frees every loaded model (process shutdown, tests). Providers load them again on next use. */
export async function unloadAllModels(): Promise<void> {
  const models = [...state.models.values()];
  state.models.clear();
  await Promise.all(models.map((p) => p.then((m) => m.dispose()).catch(() => {})));
}
