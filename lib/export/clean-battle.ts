import { z } from 'zod';
import { WINNERS, type Winner } from '../rating/types';

/**
 * Chatbot Arena's "clean_battle" record, the interchange format of battles. This schema is the
 * one definition of a valid record: every reader validates with it (the fast JSON path in
 * json-scan.ts only accepts records it can prove valid by the same rules and hands everything
 * else to this schema). Unknown fields are allowed and dropped; null optional fields count as
 * absent.
 */
import { MODEL_NAME_MAX } from './limits';

export { MODEL_NAME_MAX };

export const modelNameSchema = z
  .string()
  .min(1, 'must be a non-empty string')
  .max(MODEL_NAME_MAX, `must be at most ${MODEL_NAME_MAX} characters`)
  .refine((s) => s.trim().length > 0, 'must not be blank');

export const conversationSchema = z.array(
  z.looseObject({
    role: z.string(),
    content: z.string(),
  }),
);

const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

export const cleanBattleSchema = z
  .object({
    model_a: modelNameSchema,
    model_b: modelNameSchema,
    winner: z.enum(WINNERS, { error: () => `must be one of ${WINNERS.map((w) => `"${w}"`).join(', ')}` }),
    tstamp: optional(z.number().finite()),
    judge: optional(z.string()),
    turn: optional(z.number().int().min(1)),
    anony: optional(z.boolean()),
    language: optional(z.string()),
    question_id: optional(z.union([z.string(), z.number().finite()])),
    conversation_a: optional(conversationSchema),
    conversation_b: optional(conversationSchema),
    /** Chatbot Arena's per-battle answer statistics (style control reads them when present). */
    conv_metadata: optional(z.record(z.string(), z.unknown())),
    /**
     * Pairwise's own: the probability with which the arena drew this pair of models for the
     * battle (`pairwise ratings --weight-by-probability` weighs each battle by its inverse).
     */
    sampling_probability: optional(z.number().gt(0, 'must be above 0').max(1)),
  })
  .refine((r) => r.model_a !== r.model_b, { message: 'model_a and model_b must be different models', path: ['model_b'] });

/** A validated record: absent optional fields are left out (never undefined or null). */
export interface CleanBattle {
  model_a: string;
  model_b: string;
  winner: Winner;
  /** Unix seconds. */
  tstamp?: number;
  judge?: string;
  turn?: number;
  anony?: boolean;
  language?: string;
  question_id?: string | number;
  conversation_a?: { role: string; content: string }[];
  conversation_b?: { role: string; content: string }[];
  conv_metadata?: Record<string, unknown>;
  sampling_probability?: number;
}
export type CleanBattleInput = z.input<typeof cleanBattleSchema>;

/** Field order used by every writer. */
export const CLEAN_BATTLE_FIELDS = [
  'model_a',
  'model_b',
  'winner',
  'tstamp',
  'judge',
  'turn',
  'anony',
  'language',
  'question_id',
  'conversation_a',
  'conversation_b',
  'conv_metadata',
  'sampling_probability',
] as const;

/** Validates a parsed value; returns the record or a one-line description of what is wrong. */
export function validateCleanBattle(value: unknown): { ok: true; record: CleanBattle } | { ok: false; reason: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: `expected an object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}` };
  }
  const parsed = cleanBattleSchema.safeParse(value);
  if (parsed.success) {
    const record = parsed.data as Record<string, unknown>;
    for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
    return { ok: true, record: record as unknown as CleanBattle };
  }
  return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'record'} ${i.message}`).join('; ') };
}
