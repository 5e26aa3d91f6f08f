import { z } from 'zod';

/**
 * The model registry file (MODELS_FILE, default ./models.json). Relative paths resolve against
 * the file's folder; a path starting with "@data/" resolves inside the reference data folder
 * (see lib/shared-data.ts). API keys are never in the file: it names the environment variable.
 */

const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name, not a key');

const openAiCompatibleProvider = z.strictObject({
  kind: z.literal('openai-compatible'),
  /** e.g. http://127.0.0.1:11434/v1 for Ollama. */
  baseURL: z.url(),
  /** The model name the endpoint expects. */
  model: z.string().min(1),
  apiKeyEnv: envVarName.optional(),
});

const openAiProvider = z.strictObject({
  kind: z.literal('openai'),
  model: z.string().min(1),
  baseURL: z.url().optional(),
  apiKeyEnv: envVarName.default('OPENAI_API_KEY'),
});

const anthropicProvider = z.strictObject({
  kind: z.literal('anthropic'),
  model: z.string().min(1),
  baseURL: z.url().optional(),
  apiKeyEnv: envVarName.default('ANTHROPIC_API_KEY'),
});

const googleProvider = z.strictObject({
  kind: z.literal('google'),
  model: z.string().min(1),
  baseURL: z.url().optional(),
  apiKeyEnv: envVarName.default('GOOGLE_GENERATIVE_AI_API_KEY'),
});

const ggufProvider = z.strictObject({
  kind: z.literal('gguf'),
  /** Path of the .gguf file. */
  path: z.string().min(1),
  contextSize: z.int().positive().default(2048),
  threads: z.int().positive().default(1),
  /** Generations of this model that may run at once; more wait their turn. */
  maxConcurrent: z.int().positive().default(1),
  /**
   * How the conversation becomes a prompt. "chat" uses the model's own chat template; "plain"
   * writes "User: ...\nAssistant:" turns, for base models without a template; "auto" picks "chat"
   * when the file has a chat template and "plain" otherwise.
   */
  promptFormat: z.enum(['auto', 'chat', 'plain']).default('auto'),
});

const recordedProvider = z.strictObject({
  kind: z.literal('recorded'),
  /** Folder of the prompt set: question.jsonl ({question_id, text, category}) and answer files. */
  set: z.string().min(1),
  /** Answer file inside the set: one {question_id, text} object per line. */
  answers: z.string().min(1),
  /** Streaming pace, so recorded answers arrive like live ones. */
  charsPerSecond: z.number().positive().default(400),
});

export const providerSchema = z.discriminatedUnion('kind', [
  openAiCompatibleProvider,
  openAiProvider,
  anthropicProvider,
  googleProvider,
  ggufProvider,
  recordedProvider,
]);

export const generationDefaultsSchema = z.strictObject({
  temperature: z.number().min(0).max(2).default(0.7),
  maxTokens: z.int().positive().max(32_768).default(512),
  systemPrompt: z.string().optional(),
});

export const modelEntrySchema = z.strictObject({
  /** Stable id used in votes and exports, e.g. "llama-3.1-8b-instruct". */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/, 'letters, digits and . _ : / @ + - only'),
  name: z.string().min(1),
  organization: z.string().min(1).default('unknown'),
  license: z.string().min(1).default('unknown'),
  provider: providerSchema,
  defaults: generationDefaultsSchema.prefault({}),
  /** Relative sampling weight; 0 keeps the model out of new battles. */
  weight: z.number().min(0).default(1),
  enabled: z.boolean().default(true),
  /** Shown on the leaderboard only when deprecated models are asked for. */
  deprecated: z.boolean().default(false),
  /**
   * A test fixture (a tiny model whose answers are not meant to be judged). A live pool of only
   * fixtures is not offered as the arena's first choice.
   */
  fixture: z.boolean().default(false),
  /**
   * The model reads images in user messages (openai-compatible, openai, anthropic and google
   * kinds). Only such models are paired for a battle whose prompt carries an image.
   */
  vision: z.boolean().default(false),
});

const actionLimitSchema = z.strictObject({
  perMinute: z.int().positive().max(100_000),
  perDay: z.int().positive().max(10_000_000),
});

/**
 * Rate limits per identity (account or browser); a network (IPv4 /24, IPv6 /64) may do
 * `networkMultiplier` times as much, since several people can share one.
 */
export const rateLimitSettingsSchema = z.strictObject({
  battle: actionLimitSchema.default({ perMinute: 20, perDay: 500 }),
  vote: actionLimitSchema.default({ perMinute: 20, perDay: 500 }),
  networkMultiplier: z.int().min(1).max(1000).default(5),
});

export const arenaSettingsSchema = z.strictObject({
  /** User turns allowed in one battle. */
  maxTurns: z.int().positive().max(50).default(5),
  /** Characters allowed in one prompt. */
  maxPromptChars: z.int().positive().max(200_000).default(8_000),
  /** A side that has not finished after this long is stopped and marked as failed. */
  timeoutMs: z.int().positive().default(120_000),
  /** Extra words that, found in a conversation, exclude its vote from ratings. */
  leakWords: z.array(z.string().min(2)).default([]),
  /**
   * Custom leaderboard categories: a battle whose first prompt matches `pattern` (a regular
   * expression, case-insensitive) gets `tag`. Recorded battles are also tagged with their
   * question's category.
   */
  tagRules: z
    .array(
      z.strictObject({
        tag: z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,39}$/u, '1-40 letters, digits, spaces, . _ -'),
        pattern: z.string().min(1).refine((src) => {
          try {
            new RegExp(src, 'iu');
            return true;
          } catch {
            return false;
          }
        }, 'not a valid regular expression'),
      }),
    )
    .default([]),
  limits: rateLimitSettingsSchema.prefault({}),
  /**
   * Longest answer one side may give in one turn, in characters. A side that reaches it is
   * stopped and its answer ends with finish reason "length" (shown as stopped at the length limit).
   */
  maxAnswerChars: z.int().positive().max(50_000_000).default(200_000),
  /**
   * Answers reach the browser in frames of whole 16-character units, at most one frame per side
   * every `frameMs` milliseconds, so chunk sizes and counts say nothing about a model's tokenizer.
   */
  frameMs: z.int().min(0).max(1_000).default(40),
  /** Show neither answer until both sides have their first words (hides which one was faster to start). */
  startTogether: z.boolean().default(false),
  /** Largest image a prompt may carry, in bytes (png, jpeg, webp or gif; vision models only). */
  maxImageBytes: z.int().positive().max(20 * 1024 * 1024).default(5 * 1024 * 1024),
});

export const registryFileSchema = z
  .strictObject({
    settings: arenaSettingsSchema.prefault({}),
    models: z.array(modelEntrySchema),
  })
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.models.forEach((m, i) => {
      const first = seen.get(m.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'id'],
          message: `duplicate id "${m.id}" (also models[${first}])`,
        });
      } else seen.set(m.id, i);
    });
  });

export type ProviderConfig = z.infer<typeof providerSchema>;
export type ProviderKind = ProviderConfig['kind'];
export type GenerationDefaults = z.infer<typeof generationDefaultsSchema>;
export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type ArenaSettings = z.infer<typeof arenaSettingsSchema>;
export type RateLimitSettings = z.infer<typeof rateLimitSettingsSchema>;
export type RegistryFile = z.infer<typeof registryFileSchema>;

/** A loaded registry: entries with paths resolved, plus where it came from. */
export interface Registry {
  /** The file it was read from, or a description of the discovery that produced it. */
  source: string;
  settings: ArenaSettings;
  models: ModelEntry[];
  /** Problems that do not stop start-up (e.g. reference data not fetched yet), for the server log. */
  warnings?: string[];
}
