import { z } from 'zod';
import { AppError } from '../errors';
import type { ArenaSettings } from '../registry/schema';
import { WINNERS } from '../rating/types';

/** Request bodies of the battle routes, and the limits that go with them. */

export const createBattleBodySchema = z.strictObject({
  prompt: z.string().optional(),
  mode: z.enum(['live', 'recorded']).default('live'),
  questionId: z.union([z.string().min(1).max(200), z.int().transform(String)]).optional(),
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
