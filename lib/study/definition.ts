import { z } from 'zod';

/**
 * What defines a study: the prompts, the models, the design, who may take part and what they are
 * shown first. The same JSON comes from the console's form and from `pairwise study create FILE`;
 * once created, the study keeps the definition with its items resolved (`ResolvedDefinition`), so
 * a later change to the registry or the prompt files does not change a running study.
 */

const itemId = z.union([z.string().min(1).max(200), z.int()]).transform(String);

export const studyItemSchema = z.strictObject({
  id: itemId,
  text: z.string().min(1).max(100_000),
  category: z.string().max(100).optional(),
});
export type StudyItemInput = z.infer<typeof studyItemSchema>;

const promptsSchema = z.union([
  z.strictObject({
    /** A recorded prompt set: its folder as the registry names it ("@data/recorded-answers/vicuna80"), or the folder's name. */
    set: z.string().min(1),
    /** Only these question ids (default: all). */
    questions: z.array(itemId).min(1).optional(),
    /** Only questions of these categories. */
    categories: z.array(z.string().min(1)).min(1).optional(),
    /** A seeded random sample of this many of the questions left (kept in the set's order). */
    sample: z.int().positive().optional(),
  }),
  /** A JSON Lines file of {question_id | id, text, category?} (the command line reads it; relative to the definition file). */
  z.strictObject({ file: z.string().min(1), sample: z.int().positive().optional() }),
  z.strictObject({ items: z.array(studyItemSchema).min(1).max(10_000), sample: z.int().positive().optional() }),
]);

const designSchema = z.discriminatedUnion('kind', [
  /** Every item is judged on every pair of models. */
  z.strictObject({ kind: z.literal('all-pairs') }),
  /** Each item gets `pairsPerItem` pairs; every pair is used equally often (within one) across the items. */
  z.strictObject({ kind: z.literal('balanced-incomplete'), pairsPerItem: z.int().positive() }),
]);
export type DesignSpec = z.infer<typeof designSchema>;

const checkSchema = z.strictObject({
  prompt: z.string().min(1).max(20_000),
  /** The sound answer, and a deliberately broken one; a participant passes by preferring the first. */
  good: z.string().min(1).max(100_000),
  bad: z.string().min(1).max(100_000),
});
export type ExplicitCheck = z.infer<typeof checkSchema>;

const attentionSchema = z.strictObject({
  /** One check falls due after every `every` judgments of a participant. */
  every: z.int().positive().max(1000).default(10),
  /**
   * Checks made from the recorded answers: a recorded model's answer to an item against the same
   * model's answer to another item (sound but off-topic).
   */
  generated: z.int().min(0).max(100).default(0),
  /** The recorded model whose answers the generated checks show (default: the first recorded one). */
  answerModel: z.string().min(1).optional(),
  /** Checks written out in full. */
  items: z.array(checkSchema).max(100).default([]),
});

export const slugSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'lower-case letters, digits and dashes (1-64), not starting or ending with a dash');

export const studyDefinitionSchema = z.strictObject({
  slug: slugSchema,
  title: z.string().trim().min(1).max(200),
  /** Shown to participants before they start (what they are judging and how). */
  instructions: z.string().max(20_000).optional(),
  prompts: promptsSchema,
  /** Registry ids; recorded and live models may be mixed (live models answer the item's text). */
  models: z.array(z.string().min(1)).min(2).max(40),
  design: designSchema.default({ kind: 'all-pairs' }),
  /** Judgments wanted per item and pair (by different participants). */
  judgmentsPerPair: z.int().positive().max(100).default(3),
  /** Most judgments one participant makes (attention checks not counted). */
  quota: z.int().positive().optional(),
  access: z.enum(['signed-in', 'invite', 'anonymous']).default('invite'),
  /** Consent text a participant must agree to before the first item. */
  consent: z.string().max(50_000).optional(),
  /** A statement a participant must confirm about themselves (e.g. "I read English fluently"). */
  qualification: z.string().max(5_000).optional(),
  attentionChecks: attentionSchema.optional(),
  /** How the report's ratings are computed (the same options as `pairwise ratings`). */
  ratings: z
    .strictObject({
      bootstrap: z.int().min(1).max(100_000).optional(),
      seed: z.int().refine(Number.isSafeInteger).optional(),
    })
    .default({}),
  /** Seed of the design (item sample, order, sides). */
  seed: z.int().refine(Number.isSafeInteger).default(1),
  /** An assigned item not judged within this many minutes goes to someone else. */
  leaseMinutes: z.int().positive().max(7 * 24 * 60).default(60),
});
export type StudyDefinitionInput = z.input<typeof studyDefinitionSchema>;
export type StudyDefinition = z.output<typeof studyDefinitionSchema>;

/** An attention check as stored: what each side shows. */
export type CheckSpec =
  | { kind: 'recorded'; model: string; questionId: string; offTopicQuestionId: string }
  | { kind: 'text'; good: string; bad: string };

/** The definition as a study keeps it: items and checks resolved, nothing left to read from files. */
export interface ResolvedDefinition extends Omit<StudyDefinition, 'prompts' | 'attentionChecks'> {
  prompts: { source: string; items: StudyItemInput[]; dropped: { id: string; reason: string }[] };
  attentionChecks: { every: number; checks: { key: string; prompt: string; category?: string; spec: CheckSpec }[] } | null;
}

/** Problems of a definition, named by field, as one message. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 8)
    .map((i) => `${i.path.length ? i.path.join('.') : '(definition)'}: ${i.message}`)
    .join('; ');
}
