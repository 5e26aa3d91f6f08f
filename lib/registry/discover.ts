import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { modelEntrySchema, type ModelEntry } from './schema';

/**
 * The registry used when there is no registry file: every *.gguf file in ./models, plus whatever
 * a local Ollama server offers. Both are optional; an empty list is a valid answer (the arena page
 * then explains how to add a model).
 */

export const DEFAULT_OLLAMA_URL = 'http://127.0.0.1:11434';

/** Turns a file or model name into an id the registry schema accepts. */
export function toModelId(name: string): string {
  const cleaned = name
    .trim()
    .replace(/[^A-Za-z0-9._:/@+-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '');
  return cleaned || 'model';
}

export async function discoverGgufModels(dir: string): Promise<ModelEntry[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.toLowerCase().endsWith('.gguf'))
    .sort()
    .map((file) => {
      const base = file.slice(0, -'.gguf'.length);
      return modelEntrySchema.parse({
        id: toModelId(base),
        name: base,
        organization: 'local',
        provider: {
          kind: 'gguf',
          path: path.join(dir, file),
          // A downloaded instruct model carries its chat template; a bare base model does not.
          promptFormat: 'auto',
          threads: 2,
        },
      });
    });
}

const ollamaTagsSchema = z.object({
  models: z.array(z.object({ name: z.string().min(1), model: z.string().optional() })).default([]),
});

/**
 * Models of an Ollama server, as openai-compatible entries. The short timeout keeps start-up quick
 * when nothing listens (the usual case).
 */
export async function discoverOllamaModels(baseURL = DEFAULT_OLLAMA_URL, timeoutMs = 300): Promise<ModelEntry[]> {
  let body: unknown;
  try {
    const res = await fetch(new URL('/api/tags', baseURL), { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return [];
    body = await res.json();
  } catch {
    return [];
  }
  const parsed = ollamaTagsSchema.safeParse(body);
  if (!parsed.success) return [];
  const seen = new Set<string>();
  const entries: ModelEntry[] = [];
  for (const m of parsed.data.models) {
    const id = toModelId(m.name);
    if (seen.has(id)) continue;
    seen.add(id);
    entries.push(
      modelEntrySchema.parse({
        id,
        name: m.name,
        organization: 'local',
        provider: { kind: 'openai-compatible', baseURL: new URL('/v1', baseURL).toString().replace(/\/$/, ''), model: m.name },
      }),
    );
  }
  return entries;
}
