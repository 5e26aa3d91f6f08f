import { z } from 'zod';
import { AppError } from '../errors';
import type { ArenaSettings } from '../registry/schema';
import { WINNERS } from '../rating/types';
import { imageBodyBytes, imageBodySchema, MAX_IMAGES } from './images';

/** Request bodies of the battle routes, and the limits that go with them. */

export const createBattleBodySchema = z.strictObject({
  prompt: z.string().optional(),
  mode: z.enum(['live', 'recorded', 'named', 'direct']).default('live'),
  questionId: z.union([z.string().min(1).max(200), z.int().transform(String)]).optional(),
  /** Side by side ('named'): the two models the voter chose, left first. */
  models: z.tuple([z.string().min(1).max(200), z.string().min(1).max(200)]).optional(),
  /** Direct chat ('direct'): the one model. */
  model: z.string().min(1).max(200).optional(),
  /** Images of the first prompt (vision models only; see images.ts). */
  images: z.array(imageBodySchema).max(MAX_IMAGES).optional(),
});
export type CreateBattleBody = z.infer<typeof createBattleBodySchema>;

export const messageBodySchema = z.strictObject({ prompt: z.string() });

export const voteBodySchema = z.strictObject({ winner: z.enum(WINNERS) });

/** Regenerate takes no fields; an empty object (or no body) is what the page sends. */
export const emptyBodySchema = z.strictObject({});

/** Room for maxPromptChars characters even when every one is JSON-escaped (\uXXXX), plus the rest. */
export function maxBodyBytes(settings: ArenaSettings): number {
  return settings.maxPromptChars * 6 + 4096;
}

/** The create route takes the first prompt and its image: room for both. */
export function maxCreateBodyBytes(settings: ArenaSettings): number {
  return maxBodyBytes(settings) + imageBodyBytes(settings.maxImageBytes);
}

export function createTooLarge(settings: ArenaSettings): AppError {
  return new AppError(
    'payload_too_large',
    `The request is too large: a prompt may have at most ${settings.maxPromptChars} characters and an image at most ${+(settings.maxImageBytes / (1024 * 1024)).toFixed(1)} MB.`,
  );
}

export function promptTooLong(settings: ArenaSettings): AppError {
  return new AppError('prompt_too_long', `The prompt is too long: at most ${settings.maxPromptChars} characters are allowed.`);
}

export function checkPrompt(settings: ArenaSettings, prompt: string | undefined): string {
  if (prompt === undefined || prompt.trim() === '') {
    throw new AppError('validation_failed', 'Invalid request: prompt: write a prompt first.');
  }
  if ([...prompt].length > settings.maxPromptChars) throw promptTooLong(settings);
  return prompt;
}
