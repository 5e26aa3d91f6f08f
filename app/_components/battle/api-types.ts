import { z } from '../zod';

/**
 * Shapes of what the battle API sends to the browser (see the battle routes). Everything that
 * arrives over the network is parsed here before the page uses it: a malformed event is dropped
 * instead of breaking the page.
 */

const questionId = z.union([z.string(), z.number()]).transform(String);

export const recordedPromptSchema = z.object({
  questionId,
  text: z.string(),
  category: z.string().nullish(),
});
export type RecordedPrompt = z.infer<typeof recordedPromptSchema>;

const liveModeSchema = z.object({
  id: z.literal('live'),
  available: z.boolean(),
  /** Live models that can be paired now (a count: never who they are). */
  models: z.number().int().nonnegative().default(0),
  /** Every one of them is a test fixture. */
  onlyFixtures: z.boolean().default(false),
});
const recordedModeSchema = z.object({
  id: z.literal('recorded'),
  available: z.boolean(),
  prompts: z.array(recordedPromptSchema).default([]),
});

export const arenaInfoSchema = z.object({
  modes: z.array(z.union([liveModeSchema, recordedModeSchema, z.object({ id: z.string() }).loose()])),
  limits: z.object({
    maxPromptChars: z.number().int().positive(),
    maxTurns: z.number().int().positive(),
  }),
  empty: z.boolean(),
  emptyReason: z.enum(['none-configured', 'unreachable']).optional(),
  defaultMode: z.enum(['live', 'recorded']).default('live'),
  models: z.object({ configured: z.number().int(), reachable: z.number().int() }).default({ configured: 0, reachable: 0 }),
});
export type ArenaInfo = z.infer<typeof arenaInfoSchema>;

export type BattleMode = 'live' | 'recorded';

export interface ArenaModes {
  live: boolean;
  /** What the live pool is like, so the page can say when it is too small or only test fixtures. */
  livePool: { models: number; onlyFixtures: boolean };
  recorded: { available: boolean; prompts: RecordedPrompt[] };
}

/** Pulls the two known modes out of the arena info; unknown modes are ignored. */
export function arenaModes(info: ArenaInfo): ArenaModes {
  let live = false;
  let livePool: ArenaModes['livePool'] = { models: 0, onlyFixtures: false };
  let recorded: ArenaModes['recorded'] = { available: false, prompts: [] };
  for (const mode of info.modes) {
    const asLive = liveModeSchema.safeParse(mode);
    if (asLive.success) {
      live = asLive.data.available;
      livePool = { models: asLive.data.models, onlyFixtures: asLive.data.onlyFixtures };
    }
    const asRecorded = recordedModeSchema.safeParse(mode);
    if (asRecorded.success) recorded = { available: asRecorded.data.available, prompts: asRecorded.data.prompts };
  }
  return { live, livePool, recorded };
}

export const sideSchema = z.enum(['a', 'b']);
export type Side = z.infer<typeof sideSchema>;

export const streamEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('battle'), battleId: z.string().min(1), turn: z.number().int().optional() }),
  z.object({ type: z.literal('delta'), side: sideSchema, text: z.string() }),
  z.object({
    type: z.literal('done'),
    side: sideSchema,
    finishReason: z.string().optional(),
    tokens: z.number().nullish(),
  }),
  z.object({ type: z.literal('error'), side: sideSchema, code: z.string(), message: z.string() }),
  z.object({
    type: z.literal('end'),
    canVote: z.boolean(),
    turn: z.number().int().optional(),
    turnsLeft: z.number().int().optional(),
  }),
]);
export type StreamEvent = z.infer<typeof streamEventSchema>;

export const winnerSchema = z.enum(['model_a', 'model_b', 'tie', 'tie (bothbad)']);
export type Winner = z.infer<typeof winnerSchema>;

const revealedModelSchema = z.object({
  id: z.string(),
  name: z.string(),
  organization: z.string().nullish(),
});
const sideStatsSchema = z.object({
  ttftMs: z.number().nullish(),
  tokensPerSecond: z.number().nullish(),
  tokens: z.number().nullish(),
});

export const voteResultSchema = z.object({
  winner: winnerSchema,
  excluded: z.boolean().optional(),
  models: z.object({ a: revealedModelSchema, b: revealedModelSchema }),
  stats: z.object({ a: sideStatsSchema, b: sideStatsSchema }).partial().optional(),
});
export type VoteResult = z.infer<typeof voteResultSchema>;
export type RevealedModel = z.infer<typeof revealedModelSchema>;
export type SideStats = z.infer<typeof sideStatsSchema>;

export const apiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

/** A refused request, with the server's safe message (or a generic one). */
export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export async function requestErrorFrom(res: Response): Promise<RequestError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON: fall through to the generic message */
  }
  const parsed = apiErrorSchema.safeParse(body);
  if (parsed.success) return new RequestError(parsed.data.error.code, parsed.data.error.message, res.status);
  return new RequestError('http_' + res.status, `The server answered ${res.status}. Please try again.`, res.status);
}
