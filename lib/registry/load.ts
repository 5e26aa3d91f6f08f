import fs from 'node:fs/promises';
import path from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError, type ParseErrorCode } from 'jsonc-parser';
import type { z } from 'zod';
import { DEFAULT_OLLAMA_URL, discoverGgufModels, discoverOllamaModels } from './discover';
import { RegistryError, type RegistryProblem } from './registry-error';
import { resolveEntryPaths } from './resolve-paths';
import { arenaSettingsSchema, registryFileSchema, type Registry } from './schema';

export { RegistryError, isRegistryError } from './registry-error';
export { recordedPrompts, recordedModelsFor, liveModels } from './recorded-prompts';

export const DEFAULT_REGISTRY_FILE = 'models.json';

export interface LoadRegistryOptions {
  /** Registry file. Default: env.MODELS_FILE, then ./models.json (relative to `cwd`). */
  file?: string;
  /** Environment to read MODELS_FILE from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Folder that a relative MODELS_FILE and the default ./models.json / ./models are relative to. */
  cwd?: string;
  /** Root used to find "@data/" files (see lib/shared-data.ts); default PAIRWISE_ROOT or cwd. */
  dataRoot?: string;
  /** Ollama server probed when there is no registry file; false skips it. */
  ollamaURL?: string | false;
  ollamaTimeoutMs?: number;
}

/**
 * Reads and validates the model registry. A file that was named (by `file` or MODELS_FILE) must
 * exist; when none was named and ./models.json is absent, the registry is discovered instead
 * (./models/*.gguf plus a local Ollama). Throws RegistryError, whose message names the file, the
 * entry and the field, so a bad file stops start-up with something the operator can act on.
 */
export async function loadRegistry(options: LoadRegistryOptions = {}): Promise<Registry> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const named = options.file ?? (env.MODELS_FILE?.trim() || undefined);
  const file = path.resolve(cwd, named ?? DEFAULT_REGISTRY_FILE);

  let text: string;
  try {
    // The registry is chosen at run time; the bundler must not trace the project for it.
    text = await fs.readFile(/*turbopackIgnore: true*/ file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!named && code === 'ENOENT') return discoverRegistry({ ...options, cwd });
    throw new RegistryError(file, [{ message: `cannot read the file (${code ?? String(err)})` }], { cause: err });
  }
  return parseRegistry(text, { file, dataRoot: options.dataRoot });
}

/** Validates registry text that was read from `file` (used for messages and relative paths). */
export function parseRegistry(text: string, { file, dataRoot }: { file: string; dataRoot?: string }): Registry {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RegistryError(file, [{ message: describeJsonError(text, err) }], { cause: err });
  }
  const parsed = registryFileSchema.safeParse(json);
  if (!parsed.success) throw new RegistryError(file, zodProblems(parsed.error, json));

  const baseDir = path.dirname(file);
  const warnings: string[] = [];
  const models = parsed.data.models.map((m) => {
    const resolved = resolveEntryPaths(m, { baseDir, root: dataRoot });
    warnings.push(...resolved.warnings);
    return resolved.entry;
  });
  return { source: file, settings: parsed.data.settings, models, warnings };
}

async function discoverRegistry(options: LoadRegistryOptions & { cwd: string }): Promise<Registry> {
  const modelsDir = path.join(options.cwd, 'models');
  const ollamaURL = options.ollamaURL === undefined ? DEFAULT_OLLAMA_URL : options.ollamaURL;
  const [gguf, ollama] = await Promise.all([
    discoverGgufModels(modelsDir),
    ollamaURL ? discoverOllamaModels(ollamaURL, options.ollamaTimeoutMs ?? 300) : Promise.resolve([]),
  ]);
  // A GGUF file and an Ollama model may share a name; the first one keeps it.
  const ids = new Set<string>();
  const models = [...gguf, ...ollama].filter((m) => (ids.has(m.id) ? false : (ids.add(m.id), true)));
  const sources = [`${modelsDir}/*.gguf`];
  if (ollamaURL) sources.push(`Ollama at ${ollamaURL}`);
  return {
    source: `no registry file; discovered from ${sources.join(' and ')}`,
    settings: arenaSettingsSchema.parse({}),
    models,
    warnings: [],
  };
}

/**
 * "malformed JSON at line 3 column 7 (position 42): ...". JSON.parse does not always say where
 * (Node 20: "Unexpected token '}', ... is not valid JSON"), so the place comes from jsonc-parser,
 * which reports the offset of the first error; comments and trailing commas count as errors, as
 * they do for JSON.parse.
 */
function describeJsonError(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return `malformed JSON: ${message}`;
  const pos = first.offset;
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `malformed JSON at line ${line} column ${column} (position ${pos}): ${jsonErrorText(first.error, text.slice(pos, pos + first.length))}`;
}

function jsonErrorText(code: ParseErrorCode, token: string): string {
  const name = printParseErrorCode(code)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return token.trim() ? `${name} (found ${JSON.stringify(token.slice(0, 20))})` : name;
}

function zodProblems(error: z.ZodError, json: unknown): RegistryProblem[] {
  const models = isObject(json) && Array.isArray(json.models) ? json.models : [];
  return error.issues.map((issue) => {
    let segments = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') segments = [...segments, issue.keys.join(', ')];
    if (segments[0] === 'models' && segments.length >= 2 && /^\d+$/.test(segments[1])) {
      const entryIndex = Number(segments[1]);
      const raw = models[entryIndex];
      const entryId = isObject(raw) && typeof raw.id === 'string' && raw.id ? raw.id : undefined;
      const field = segments.slice(2).join('.') || undefined;
      return { entryIndex, entryId, field, message: issueMessage(issue) };
    }
    return { field: segments.join('.') || undefined, message: issueMessage(issue) };
  });
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} (check the spelling)`;
  const missing = /^Invalid input: expected (\w+), received undefined$/.exec(issue.message);
  if (missing) return `required, but missing (expected ${missing[1]})`;
  return issue.message;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
